import type { EpochMs } from '../core/brand.js';
import type { AppendResult, InboxEntry, Store } from '../store/store.js';

interface Waiter {
  /** Dropped once written, so that a request's messages do not outlive the write while its sync runs. */
  entries: readonly InboxEntry[] | undefined;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (e: unknown) => void;
}

export interface GroupCommitOptions {
  readonly store: Store;
  readonly clock: () => EpochMs;
  /** How long a `messageId` is remembered for dedupe. */
  readonly dedupeWindowMs: number;
  /** Called after each durable commit, so the engine can start on the new entries. */
  readonly onCommit?: (lastSeq: number) => void;
  /** Upper bound of entries per transaction. */
  readonly maxEntries?: number;
}

/**
 * Group commit: appends from concurrent requests that arrive while a commit is being prepared share one
 * transaction, so the cost of making it durable (one fsync) is paid once for all of them. Each caller's
 * promise resolves only after the transaction holding its entries has committed; a failed commit
 * rejects every caller in it and stores none of their entries.
 * @example await committer.append([{ kind: 'message', message }]);
 */
export class GroupCommitter {
  private pending: Waiter[] = [];
  private pendingCount = 0;
  private scheduled = false;
  private running = false;

  constructor(private readonly options: GroupCommitOptions) {}

  append(entries: readonly InboxEntry[]): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entries, resolve, reject });
      this.pendingCount += entries.length;
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    this.running = true;
    const max = this.options.maxEntries ?? 20_000;
    const group: Waiter[] = [];
    let count = 0;
    while (this.pending.length > 0 && (count === 0 || count + this.pending[0]!.entries!.length <= max)) {
      const w = this.pending.shift()!;
      group.push(w);
      count += w.entries!.length;
    }
    this.pendingCount -= count;
    try {
      const result = await this.write(group);
      for (const w of group) w.resolve(result);
      if (result.lastSeq > 0) this.options.onCommit?.(result.lastSeq);
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      this.running = false;
      if (this.pending.length > 0) this.schedule();
    }
  }

  /**
   * Hands the group's entries to the store and lets go of them: a store that needs them until its
   * commit keeps its own reference. Held across the sync, a busy server's messages lived long enough
   * to be promoted to the old generation, and died there.
   */
  private write(group: Waiter[]): Promise<AppendResult> {
    const now = this.options.clock();
    const entries = group.length === 1 ? group[0]!.entries! : group.flatMap((w) => w.entries!);
    for (const w of group) w.entries = undefined;
    return this.options.store.appendToInbox(entries, {
      now,
      dedupeSince: (now - this.options.dedupeWindowMs) as EpochMs,
    });
  }

  /** Entries waiting for their commit. */
  get backlog(): number {
    return this.pendingCount;
  }
}
