import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { AppendResult, InboxEntry, InboxRow } from '../store.js';
import { DedupeIndex, forEachPackedKey, hashMessageId, packKeys } from './dedupe-index.js';
import type { WalSync } from './wal-sync.js';

/** A dedupe window this large is announced as it is read at open (0.3–0.5 s per million keys). */
export const LARGE_WINDOW = 250_000;

/**
 * An inbox row holds at most this many messages, and starts a new one past `ROW_CHARS` of JSON. Rows
 * of 64 KB appended 100,000 shop messages at 3.4–4.9 µs a message (the transaction, before its sync),
 * against 9–10 for a row per message and 12–16 for rows of 1 MB, whose strings and pages are large
 * allocations that fault in page by page (glibc maps anything past 128 KB on its own).
 */
export const ROW_MESSAGES = 1000;
const ROW_CHARS = 64 * 1024;

/**
 * The inbox file (`inbox.db`): accepted inputs waiting for the engine, and the dedupe keys. Its one
 * writer is the HTTP thread (appends, and deleting what the engine has durably consumed); the engine
 * reads it after its cursor, which lives in the state file, and notes the keys an erasure forgets.
 *
 * An append writes its messages as few rows as it can: a row holds `n` messages, one JSON per line
 * (`JSON.stringify` writes no raw newline), and its `seq` is the last one's, so that every message
 * still has a seq of its own (seq - n + 1 … seq) and "rows after the cursor" and "purge up to the
 * cursor" keep their meaning. The engine may stop part-way through a row; the next read skips what it
 * has consumed.
 *
 * Dedupe: the store that appends holds the window in memory (`DedupeIndex`, built from `dedupe_keys`
 * on its first append) and logs the keys it accepts in one row per append, in the same transaction as
 * the entries. An erasure, applied by the engine on its own connection, adds rows to
 * `dedupe_forgotten`, which the appending store reads before each append.
 */
export class SqliteInbox {
  private readonly q;

  constructor(
    readonly db: Database.Database,
    private readonly walSync: WalSync | undefined,
  ) {
    moveOldDedupeTables(db);
    this.q = {
      logKeys: db.prepare(`INSERT INTO dedupe_keys (received_at, keys) VALUES (?, ?)`),
      window: db.prepare(`SELECT received_at, keys FROM dedupe_keys ORDER BY received_at`).raw(),
      windowSize: db.prepare(`SELECT coalesce(sum(length(keys)), 0) / 8 FROM dedupe_keys`).pluck(),
      lastLogged: db.prepare(`SELECT coalesce(max(received_at), 0) FROM dedupe_keys`).pluck(),
      forgotten: db.prepare(`SELECT id, hi, lo, up_to FROM dedupe_forgotten WHERE id > ? ORDER BY id`).raw(),
      noteForgotten: db.prepare(`INSERT INTO dedupe_forgotten (hi, lo, up_to) VALUES (?, ?, ?)`),
      pruneLog: db.prepare(`DELETE FROM dedupe_keys WHERE received_at < ?`),
      pruneForgotten: db.prepare(`DELETE FROM dedupe_forgotten WHERE up_to < ?`),
      // AUTOINCREMENT's high-water mark: a seq is never given twice, even after a purge emptied the table.
      sequence: db.prepare(`SELECT seq FROM sqlite_sequence WHERE name = 'inbox'`).pluck(),
      insert: db.prepare(`INSERT INTO inbox (seq, n, kind, body, received_at) VALUES (?, ?, ?, ?, ?)`),
      read: db.prepare(`SELECT seq, n, kind, body FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?`).raw(),
      lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) FROM inbox`).pluck(),
      purge: db.prepare(`DELETE FROM inbox WHERE seq <= ?`),
    };
  }

  private index: DedupeIndex | undefined;
  private lastForgotten = 0;

  /**
   * Builds the dedupe window now rather than at the first append (for the store that appends). A
   * window of `LARGE_WINDOW` keys or more takes a second or more: `report` is told as it starts and ends.
   */
  warmDedupe(report?: (line: string) => void): void {
    if (this.index || !report) return void this.dedupeIndex();
    const keys = this.q.windowSize.get() as number;
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
      const into = index;
      for (const [at, keys] of this.q.window.iterate() as Iterable<[number, Buffer]>)
        forEachPackedKey(keys, (hi, lo) => into.add(hi, lo, at));
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
      const startSeq = (q.sequence.get() as number | undefined) ?? 0;
      let seq = startSeq;
      let accepted = 0;
      let duplicates = 0;
      const keys: number[] = [];
      let lines: string[] = [];
      let chars = 0;
      const writeLines = (): void => {
        if (lines.length === 0) return;
        seq += lines.length;
        q.insert.run(seq, lines.length, 'message', lines.length === 1 ? lines[0]! : lines.join('\n'), now);
        lines = [];
        chars = 0;
      };
      for (const entry of entries) {
        if (entry.kind === 'message') {
          const { hi, lo } = hashMessageId(entry.message.messageId);
          if (index.seenSince(hi, lo, dedupeSince)) {
            duplicates++;
            continue;
          }
          changed.push({ hi, lo, before: index.add(hi, lo, now) });
          keys.push(hi, lo);
          // A line per message: JSON that is not on one line is written again (never from the ingest path).
          let json = entry.json ?? JSON.stringify(entry.message);
          if (json.includes('\n')) json = JSON.stringify(entry.message);
          lines.push(json);
          chars += json.length;
          if (lines.length >= ROW_MESSAGES || chars >= ROW_CHARS) writeLines();
          accepted++;
        } else {
          writeLines();
          seq += 1;
          q.insert.run(seq, 1, 'erase', JSON.stringify({ profileId: entry.profileId }), now);
        }
      }
      writeLines();
      if (keys.length > 0) q.logKeys.run(now, packKeys(keys));
      return { accepted, duplicates, lastSeq: seq > startSeq ? seq : 0 };
    });
    try {
      // IMMEDIATE: the seq is read first, and a read cannot become a write once another connection wrote.
      return write.immediate();
    } catch (error) {
      for (let i = changed.length - 1; i >= 0; i--)
        index.undo(changed[i]!.hi, changed[i]!.lo, changed[i]!.before);
      throw error;
    }
  }

  /** Up to `limit` entries after `cursor`, in order. */
  read(cursor: number, limit: number): InboxRow[] {
    const out: InboxRow[] = [];
    if (limit <= 0) return out;
    for (const [seq, n, kind, body] of this.q.read.iterate(cursor, limit) as Iterable<
      [number, number, string, string]
    >) {
      if (kind === 'erase') {
        const { profileId } = JSON.parse(body) as { profileId: ProfileId };
        out.push({ seq, kind: 'erase', profileId });
      } else {
        const lines = n === 1 ? [body] : body.split('\n');
        const first = seq - n + 1;
        // The first row may be partly consumed already: its lines up to the cursor are skipped.
        for (let i = Math.max(0, cursor - first + 1); i < n && out.length < limit; i++) {
          const line = lines[i]!;
          // The line goes along: the engine stores it as the event's body without serialising again.
          out.push({
            seq: first + i,
            kind: 'message',
            message: JSON.parse(line) as InboundMessage,
            json: line,
          });
        }
      }
      if (out.length >= limit) break;
    }
    return out;
  }

  /** The last entry's seq (0 when empty). */
  lastSeq(): number {
    return this.q.lastSeq.get() as number;
  }

  /**
   * Entries after `cursor`. Every entry has a seq of its own, given in order without gaps, and only
   * consumed ones are purged, so this is the last seq given less the cursor: no rows are read. (Summing
   * `n` over the rows read every row's 64 KB body, since `n` was added after it: 37 ms a call with a
   * backlog of 200,000, which `/health` polled every 50 ms paid on the HTTP thread.)
   */
  depth(cursor: number): number {
    return Math.max(0, ((this.q.sequence.get() as number | undefined) ?? 0) - cursor);
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
 * Older stores kept the dedupe keys as text in `dedupe`, then as a row per key in `dedupe_log`: move
 * them into `dedupe_keys`, a row per time, once, and drop the old tables (whichever connection opens
 * the file first does it).
 */
function moveOldDedupeTables(db: Database.Database): void {
  const exists = (name: string) =>
    db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?`).get(name) !== undefined;
  if (!exists('dedupe') && !exists('dedupe_log')) return;
  db.transaction(() => {
    const log = db.prepare(`INSERT INTO dedupe_keys (received_at, keys) VALUES (?, ?)`);
    const byTime = new Map<number, number[]>();
    const note = (at: number, hi: number, lo: number): void => {
      const halves = byTime.get(at);
      if (halves) halves.push(hi, lo);
      else byTime.set(at, [hi, lo]);
    };
    if (exists('dedupe')) {
      for (const [id, at] of db
        .prepare(`SELECT message_id, received_at FROM dedupe`)
        .raw()
        .iterate() as Iterable<[string, number]>) {
        const { hi, lo } = hashMessageId(id);
        note(at, hi, lo);
      }
      db.exec(`DROP TABLE dedupe`);
    }
    if (exists('dedupe_log')) {
      for (const [at, hi, lo] of db
        .prepare(`SELECT received_at, hi, lo FROM dedupe_log`)
        .raw()
        .iterate() as Iterable<[number, number, number]>)
        note(at, hi, lo);
      db.exec(`DROP TABLE dedupe_log`);
    }
    for (const [at, halves] of [...byTime].sort((a, b) => a[0] - b[0])) log.run(at, packKeys(halves));
  }).immediate();
}
