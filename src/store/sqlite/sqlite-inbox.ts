import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { AppendResult, InboxEntry, InboxRow } from '../store.js';
import type { WalSync } from './wal-sync.js';

type Row = Record<string, unknown>;

/**
 * The inbox file (`inbox.db`): accepted inputs waiting for the engine, and the dedupe keys. Its one
 * writer is the HTTP thread (appends, and deleting what the engine has durably consumed); the engine
 * reads it after its cursor, which lives in the state file.
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
      dedupe: db.prepare(
        `INSERT INTO dedupe (message_id, received_at) VALUES (?, ?)
         ON CONFLICT (message_id) DO UPDATE SET received_at = excluded.received_at WHERE dedupe.received_at < ?`,
      ),
      insert: db.prepare(`INSERT INTO inbox (kind, body, received_at) VALUES (?, ?, ?)`),
      read: db.prepare(`SELECT seq, kind, body FROM inbox WHERE seq > ? ORDER BY seq LIMIT ?`),
      lastSeq: db.prepare(`SELECT coalesce(max(seq), 0) FROM inbox`).pluck(),
      purge: db.prepare(`DELETE FROM inbox WHERE seq <= ?`),
      depth: db.prepare(`SELECT count(*) FROM inbox WHERE seq > ?`).pluck(),
      deleteDedupe: db.prepare(`DELETE FROM dedupe WHERE message_id = ?`),
      pruneDedupe: db.prepare(`DELETE FROM dedupe WHERE received_at < ?`),
    };
  }

  /**
   * Appends in one transaction (deleting entries up to `purgeUpTo` first, when given), skipping
   * messages whose id was seen after `dedupeSince`; resolves once the commit is durable.
   */
  async append(
    entries: readonly InboxEntry[],
    options: { now: EpochMs; dedupeSince: EpochMs; purgeUpTo: number },
  ): Promise<AppendResult> {
    const { q } = this;
    const { now, dedupeSince, purgeUpTo } = options;
    const result = this.db.transaction((): AppendResult => {
      if (purgeUpTo > 0) q.purge.run(purgeUpTo);
      let accepted = 0;
      let duplicates = 0;
      let lastSeq = 0;
      for (const entry of entries) {
        if (entry.kind === 'message') {
          if (q.dedupe.run(entry.message.messageId, now, dedupeSince).changes === 0) {
            duplicates++;
            continue;
          }
          const json = entry.json ?? JSON.stringify(entry.message);
          lastSeq = Number(q.insert.run('message', json, now).lastInsertRowid);
          accepted++;
        } else {
          const body = JSON.stringify({ profileId: entry.profileId });
          lastSeq = Number(q.insert.run('erase', body, now).lastInsertRowid);
        }
      }
      return { accepted, duplicates, lastSeq };
    })();
    await this.walSync?.sync();
    return result;
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

  /** Forgets these dedupe keys (an erasure), durably. */
  async forget(messageIds: readonly string[]): Promise<void> {
    this.db.transaction(() => {
      for (const id of messageIds) this.q.deleteDedupe.run(id);
    })();
    await this.walSync?.sync();
  }

  pruneDedupe(before: EpochMs): number {
    return this.q.pruneDedupe.run(before).changes;
  }

  async close(): Promise<void> {
    this.db.close();
    await this.walSync?.close();
  }
}
