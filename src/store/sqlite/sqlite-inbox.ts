import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { AppendResult, InboxEntry, InboxRow } from '../store.js';
import { DedupeIndex, hashMessageId } from './dedupe-index.js';
import type { WalSync } from './wal-sync.js';

type Row = Record<string, unknown>;

/** A dedupe window this large is announced as it is read at open (about a second per million keys). */
export const LARGE_WINDOW = 250_000;

/**
 * The inbox file (`inbox.db`): accepted inputs waiting for the engine, and the dedupe keys. Its one
 * writer is the HTTP thread (appends, and deleting what the engine has durably consumed); the engine
 * reads it after its cursor, which lives in the state file, and notes the keys an erasure forgets.
 *
 * Dedupe: the store that appends holds the window in memory (`DedupeIndex`, built from `dedupe_log`
 * on its first append) and logs each accepted key in arrival order in the same transaction as the
 * entry. An erasure, applied by the engine on its own connection, adds rows to `dedupe_forgotten`,
 * which the appending store reads before each append.
 */
export class SqliteInbox {
  private readonly q;
  /** The JSON each message was read from, so that storing it as an event does not serialise it again. */
  readonly jsonOf = new WeakMap<object, string>();

  constructor(
    readonly db: Database.Database,
    private readonly walSync: WalSync | undefined,
  ) {
    this.q = {
      logKey: db.prepare(`INSERT OR IGNORE INTO dedupe_log (received_at, hi, lo) VALUES (?, ?, ?)`),
      window: db.prepare(`SELECT received_at, hi, lo FROM dedupe_log ORDER BY received_at`).raw(),
      lastLogged: db.prepare(`SELECT coalesce(max(received_at), 0) FROM dedupe_log`).pluck(),
      forgotten: db.prepare(`SELECT id, hi, lo, up_to FROM dedupe_forgotten WHERE id > ? ORDER BY id`).raw(),
      noteForgotten: db.prepare(`INSERT INTO dedupe_forgotten (hi, lo, up_to) VALUES (?, ?, ?)`),
      pruneLog: db.prepare(`DELETE FROM dedupe_log WHERE received_at < ?`),
      pruneForgotten: db.prepare(`DELETE FROM dedupe_forgotten WHERE up_to < ?`),
      insert: db.prepare(`INSERT INTO inbox (kind, body, received_at) VALUES (?, ?, ?)`),
      read: db.prepare(`SELECT seq, kind, body FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?`),
      lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) FROM inbox`).pluck(),
      purge: db.prepare(`DELETE FROM inbox WHERE seq <= ?`),
      depth: db.prepare(`SELECT count(*) FROM inbox WHERE seq > ?`).pluck(),
    };
    moveOldDedupeTable(db);
  }

  private index: DedupeIndex | undefined;
  private lastForgotten = 0;

  /**
   * Builds the dedupe window now rather than at the first append (for the store that appends). A
   * window of `LARGE_WINDOW` keys or more takes a second or more: `report` is told as it starts and ends.
   */
  warmDedupe(report?: (line: string) => void): void {
    if (this.index || !report) return void this.dedupeIndex();
    const keys = this.db.prepare(`SELECT count(*) FROM dedupe_log`).pluck().get() as number;
    if (keys < LARGE_WINDOW) return void this.dedupeIndex();
    report(`inbox.db: reading ${keys.toLocaleString('en')} dedupe keys into memory…`);
    const started = performance.now();
    this.dedupeIndex();
    report(`inbox.db: dedupe keys read in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }

  /** The window in memory, built from the log on first use; erasures noted since the last call applied. */
  private dedupeIndex(): DedupeIndex {
    let index = this.index;
    if (!index) {
      index = new DedupeIndex();
      for (const [at, hi, lo] of this.q.window.iterate() as Iterable<[number, number, number]>)
        index.add(hi, lo, at);
      this.index = index;
    }
    for (const [id, hi, lo, upTo] of this.q.forgotten.all(this.lastForgotten) as [
      number,
      number,
      number,
      number,
    ][]) {
      index.forget(hi, lo, upTo);
      this.lastForgotten = id;
    }
    return index;
  }

  /**
   * Appends in one transaction (deleting entries up to `purgeUpTo` first, when given), skipping
   * messages whose id was seen after `dedupeSince`; resolves once the commit is durable.
   */
  append(
    entries: readonly InboxEntry[],
    options: { now: EpochMs; dedupeSince: EpochMs; purgeUpTo: number },
  ): Promise<AppendResult> {
    let result: AppendResult;
    try {
      result = this.write(entries, options);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // Not an async function: nothing of the entries stays referenced while the sync runs.
    return this.durable(result);
  }

  private async durable(result: AppendResult): Promise<AppendResult> {
    await this.walSync?.sync();
    return result;
  }

  /** The append's transaction; the window in memory is put back if it does not commit. */
  private write(
    entries: readonly InboxEntry[],
    options: { now: EpochMs; dedupeSince: EpochMs; purgeUpTo: number },
  ): AppendResult {
    const { q } = this;
    const { now, dedupeSince, purgeUpTo } = options;
    const index = this.dedupeIndex();
    /** What this transaction changed in memory, to put back if it does not commit. */
    const changed: { hi: number; lo: number; before: number | undefined }[] = [];
    const write = this.db.transaction((): AppendResult => {
      if (purgeUpTo > 0) q.purge.run(purgeUpTo);
      let accepted = 0;
      let duplicates = 0;
      let lastSeq = 0;
      for (const entry of entries) {
        if (entry.kind === 'message') {
          const { hi, lo } = hashMessageId(entry.message.messageId);
          if (index.seenSince(hi, lo, dedupeSince)) {
            duplicates++;
            continue;
          }
          changed.push({ hi, lo, before: index.add(hi, lo, now) });
          q.logKey.run(now, hi, lo);
          const json = entry.json ?? JSON.stringify(entry.message);
          lastSeq = Number(q.insert.run('message', json, now).lastInsertRowid);
          accepted++;
        } else {
          const body = JSON.stringify({ profileId: entry.profileId });
          lastSeq = Number(q.insert.run('erase', body, now).lastInsertRowid);
        }
      }
      return { accepted, duplicates, lastSeq };
    });
    try {
      return write();
    } catch (error) {
      for (let i = changed.length - 1; i >= 0; i--)
        index.undo(changed[i]!.hi, changed[i]!.lo, changed[i]!.before);
      throw error;
    }
  }

  /** Entries after `cursor`, in order. */
  read(cursor: number, limit: number): InboxRow[] {
    return (this.q.read.all(cursor, limit) as Row[]).map((row): InboxRow => {
      const seq = row.seq as number;
      const body = JSON.parse(row.body as string) as Record<string, unknown>;
      if (row.kind === 'erase') return { seq, kind: 'erase', profileId: body.profileId as ProfileId };
      this.jsonOf.set(body, row.body as string);
      return { seq, kind: 'message', message: body as InboundMessage };
    });
  }

  /** The last entry's seq (0 when empty). */
  lastSeq(): number {
    return this.q.lastSeq.get() as number;
  }

  depth(cursor: number): number {
    return this.q.depth.get(cursor) as number;
  }

  /**
   * Forgets these dedupe keys (an erasure), durably: each is noted with the newest time logged so
   * far, so that the key counts as unseen until it is accepted again.
   */
  async forget(messageIds: readonly string[]): Promise<void> {
    if (messageIds.length === 0) return;
    this.db.transaction(() => {
      const upTo = this.q.lastLogged.get() as number;
      for (const id of messageIds) {
        const { hi, lo } = hashMessageId(id);
        this.q.noteForgotten.run(hi, lo, upTo);
        this.index?.forget(hi, lo, upTo);
      }
    })();
    await this.walSync?.sync();
  }

  /** Drops the keys accepted before `before`; returns how many log rows went. */
  pruneDedupe(before: EpochMs): number {
    const pruned = this.db.transaction(() => {
      this.q.pruneForgotten.run(before);
      return this.q.pruneLog.run(before).changes;
    })();
    this.index?.prune(before);
    return pruned;
  }

  async close(): Promise<void> {
    this.db.close();
    await this.walSync?.close();
  }
}

/**
 * Stores from before `dedupe_log` kept each key as text in `dedupe`: hash them into the log, once,
 * and drop the old table (whichever connection opens the file first does it).
 */
function moveOldDedupeTable(db: Database.Database): void {
  const exists = () =>
    db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dedupe'`).get();
  if (!exists()) return;
  db.transaction(() => {
    if (!exists()) return;
    const log = db.prepare(`INSERT OR IGNORE INTO dedupe_log (received_at, hi, lo) VALUES (?, ?, ?)`);
    const page = db
      .prepare(
        `SELECT message_id, received_at FROM dedupe WHERE message_id > ? ORDER BY message_id LIMIT 10000`,
      )
      .raw();
    // Page by page: a statement cannot run on the connection while another is being iterated.
    for (let after = ''; ;) {
      const rows = page.all(after) as [string, number][];
      for (const [id, at] of rows) {
        const { hi, lo } = hashMessageId(id);
        log.run(at, hi, lo);
      }
      if (rows.length === 0) break;
      after = rows[rows.length - 1]![0];
    }
    db.exec(`DROP TABLE dedupe`);
  }).immediate();
}
