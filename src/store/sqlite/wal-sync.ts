import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes a WAL-mode database's commits durable off the JavaScript thread: the connection commits with
 * `synchronous = NORMAL` (the WAL is written, not synced) and `sync()` then runs `fdatasync` on the
 * `-wal` file in libuv's thread pool. The event loop keeps answering requests while the disk works,
 * which a `synchronous = FULL` commit (an fsync inside `COMMIT`, on the caller's thread) prevents.
 *
 * Why it is as durable as FULL: every frame a commit wrote is in the `-wal` file when `sync()` is
 * called, and `fdatasync` on any descriptor of that file persists all of it. SQLite only rewrites the
 * WAL from its start after a complete checkpoint, which (in NORMAL mode) synced those frames into the
 * database file first. The file is never deleted while a connection is open.
 * @example await db.transaction(write)(); await walSync.sync(); // now durable
 */
export class WalSync {
  private handle: Promise<FileHandle> | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly walPath: string) {}

  /** Resolves once everything committed before the call is on disk. Calls during a sync share the next one. */
  sync(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.run().finally(() => (this.running = undefined));
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = undefined;
        return this.sync();
      });
    return this.queued;
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) await (await handle).close();
  }

  private async run(): Promise<void> {
    this.handle ??= open(this.walPath, 'r');
    try {
      await (await this.handle).datasync();
    } catch (error) {
      this.handle = undefined; // open again next time
      throw error;
    }
  }
}
