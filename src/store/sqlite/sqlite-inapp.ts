import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { InAppInbox, InboxEntry } from '../../channels/inapp/inapp-inbox.js';
import type { RenderedInApp } from '../../core/channels/rendered-message.js';

type Row = Record<string, unknown>;

const ID_PREFIX = 'inb_';

/** `inb_42` → 42, or undefined when the id is not one of ours. */
function seqOf(id: string): number | undefined {
  if (!id.startsWith(ID_PREFIX)) return undefined;
  const n = Number(id.slice(ID_PREFIX.length));
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

const toEntry = (r: Row): InboxEntry => ({
  id: `${ID_PREFIX}${r.seq as number}`,
  profileId: r.profile_id as string,
  idempotencyKey: r.idempotency_key as string,
  content: JSON.parse(r.content as string) as RenderedInApp,
  createdAt: r.created_at as number,
  ...(r.expires_at === null ? {} : { expiresAt: r.expires_at as number }),
  ...(r.read_at === null ? {} : { readAt: r.read_at as number }),
});

/**
 * The in-app inbox in the state file (`inapp_messages`). Live updates go through an in-process
 * emitter: the dispatcher that adds entries and the HTTP server that streams them share the main
 * thread, so no cross-process notification is needed.
 * @example const inbox = new SqliteInAppInbox(db); inbox.subscribe('prf_1', (e) => console.log(e.id));
 */
export class SqliteInAppInbox implements InAppInbox {
  private readonly q;
  private readonly live = new EventEmitter();

  constructor(db: Database.Database) {
    // One listener per open stream; many streams are expected, so no leak warning.
    this.live.setMaxListeners(0);
    this.q = {
      insert: db.prepare(
        `INSERT INTO inapp_messages (profile_id, idempotency_key, content, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
      ),
      byKey: db.prepare(`SELECT * FROM inapp_messages WHERE idempotency_key = ?`),
      list: db.prepare(
        `SELECT * FROM inapp_messages WHERE profile_id = ? AND (expires_at IS NULL OR expires_at > ?)
           AND (? = 0 OR read_at IS NULL) AND created_at < ? ORDER BY seq DESC LIMIT ?`,
      ),
      unread: db
        .prepare(
          `SELECT count(*) FROM inapp_messages WHERE profile_id = ? AND read_at IS NULL
             AND (expires_at IS NULL OR expires_at > ?)`,
        )
        .pluck(),
      markRead: db.prepare(
        `UPDATE inapp_messages SET read_at = ? WHERE profile_id = ? AND seq = ? AND read_at IS NULL`,
      ),
    };
  }

  async add(entry: Omit<InboxEntry, 'id' | 'readAt'>): Promise<{ readonly id: string }> {
    const inserted = this.q.insert.run(
      entry.profileId,
      entry.idempotencyKey,
      JSON.stringify(entry.content),
      entry.createdAt,
      entry.expiresAt ?? null,
    );
    const stored = toEntry(this.q.byKey.get(entry.idempotencyKey) as Row);
    // A retried send finds its entry already there: listeners saw it the first time.
    if (inserted.changes > 0) this.live.emit(stored.profileId, stored);
    return { id: stored.id };
  }

  async list(
    profileId: string,
    query: { now: number; unreadOnly?: boolean; limit?: number; before?: number },
  ): Promise<readonly InboxEntry[]> {
    const rows = this.q.list.all(
      profileId,
      query.now,
      query.unreadOnly ? 1 : 0,
      query.before ?? Number.MAX_SAFE_INTEGER,
      query.limit ?? 50,
    ) as Row[];
    return rows.map(toEntry);
  }

  async countUnread(profileId: string, now: number): Promise<number> {
    return this.q.unread.get(profileId, now) as number;
  }

  async markRead(profileId: string, ids: readonly string[], at: number): Promise<void> {
    for (const id of ids) {
      const seq = seqOf(id);
      if (seq !== undefined) this.q.markRead.run(at, profileId, seq);
    }
  }

  subscribe(profileId: string, listener: (entry: InboxEntry) => void): () => void {
    this.live.on(profileId, listener);
    return () => this.live.off(profileId, listener);
  }
}
