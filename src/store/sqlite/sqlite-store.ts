import type Database from 'better-sqlite3';
import { dirname, join } from 'node:path';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import { splitIdentityKey, type IdentityKey, type IdentityKind } from '../../core/profiles/identity.js';
import { parseProfile, type Profile } from '../../core/profiles/profile.js';
import type { MergeReason } from '../../core/profiles/resolve-batch.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import type {
  AppendResult,
  BatchWrite,
  ErasureResult,
  InboxEntry,
  InboxRow,
  Page,
  ProfileRecord,
  StoredEvent,
  Store,
} from '../store.js';
import { INBOX_MIGRATIONS, SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { openDatabase } from './sqlite-open.js';
import { registerSegmentFunctions } from './sqlite-functions.js';
import { ProfileCache } from './profile-cache.js';
import { SqliteInbox } from './sqlite-inbox.js';
import { WalSync } from './wal-sync.js';
import { SqliteSegmentStore } from './sqlite-segment-store.js';
import { Checkpointer } from './checkpointer.js';
import {
  CHECKPOINT_EVERY_MS,
  checkpointRound,
  INLINE_CHECKPOINT_EVERY_MS,
  CURSOR_KEY,
  DURABLE_KEY,
  durableFileOf,
  readDurableFile,
} from './checkpoint-policy.js';
import { insertPlannedSends } from './sqlite-outbox.js';

export interface SqliteStoreOptions {
  /** Path of the database file, or `:memory:`. */
  readonly path: string;
  /**
   * Keep up to this many recent profiles and identity owners in memory. Only for the engine's own
   * store, the one writer of profiles (see `ProfileCache`); off by default.
   */
  readonly cacheProfiles?: number;
  /** Path of the inbox file; defaults to `inbox.db` beside `path` (`:memory:` beside `:memory:`). */
  readonly inboxPath?: string;
  /**
   * `full` (default) makes every commit durable against power loss; `normal` only against a process
   * crash (WAL, https://www.sqlite.org/pragma.html#pragma_synchronous).
   */
  readonly synchronous?: 'full' | 'normal';
  /**
   * For the engine's own connection: `normal` lets it commit what it derives from the inbox without an
   * fsync each time. That is safe because the inbox keeps every entry until a checkpoint has made the
   * state that consumed it durable (`DURABLE_KEY`); after a power loss the engine re-applies them.
   * `synchronous` is per connection, so the API's writes on another connection stay `full`.
   */
  readonly engineSynchronous?: 'full' | 'normal';
  /**
   * Checkpoint both files on a thread of their own (`Checkpointer`) instead of in `maintain()` on the
   * caller's: for the engine's worker, which then never stops for a checkpoint. File paths only.
   */
  readonly checkpointThread?: boolean;
  /**
   * Told of each schema migration of an existing store, and of a large dedupe window being read into
   * memory, as they start and end (see `openDatabase`, `SqliteInbox.warmDedupe`).
   */
  readonly onMigrate?: (line: string) => void;
  /**
   * The durable end of the inbox, shared between the store that appends (the HTTP thread's) and the
   * engine's. An appended entry is readable once written, before its fsync ends; the engine may read
   * and evaluate it then, but a commit that consumes it waits until the fence has passed it. Without
   * that, a power loss could keep state (or the cursor) past an entry it takes away: the entry's seq
   * would be handed to the next message, which the engine would then skip. The appending store sets
   * the fence at open and after each durable append.
   */
  readonly inboxFence?: InboxFence;
}

/** See `SqliteStoreOptions.inboxFence`; `buffer` is 8 bytes (`createInboxFence`). */
export interface InboxFence {
  readonly buffer: SharedArrayBuffer;
  readonly role: 'append' | 'read';
}

/** A buffer for `SqliteStoreOptions.inboxFence`, to share with the engine's thread. */
export const createInboxFence = (): SharedArrayBuffer => new SharedArrayBuffer(8);

type Row = Record<string, unknown>;
/**
 * Page size of a new inbox file. The inbox is appended at its end in rows of up to 64 KB and purged
 * from its start, so it never writes a random leaf: a large page means fewer pages, WAL frames and
 * checkpoint writes for the same bytes. Measured on 2026-12-07 with `bench/pipeline.ts`, three pairs
 * run alternately: 23,138 / 24,872 / 24,941 events/s end to end with 64 KB pages against 20,705 /
 * 24,130 / 22,772 with 4 KB, 66–71 µs of server CPU an event against 69–81. The state file keeps 4 KB:
 * its writes are random leaves, and 16 KB pages there put the real-time p99 over 100 ms (114.7 against
 * 68.7 in the same hour) for 8–10 % more pipeline throughput.
 */
const INBOX_PAGE_SIZE = 65_536;
const IDENTITY_KINDS_SQL = `('user_id','anonymous_id','email','phone','device_token')`;

/**
 * The embedded store: SQLite through better-sqlite3, WAL journal. Every method is one transaction;
 * better-sqlite3 is synchronous, so a method's promise resolves after its commit has returned.
 * @example const store = openSqliteStore({ path: '.orkestra/orkestra.db' });
 */
export function openSqliteStore(options: SqliteStoreOptions): Store {
  const inboxPath =
    options.inboxPath ?? (options.path === ':memory:' ? ':memory:' : join(dirname(options.path), 'inbox.db'));
  const db = openDatabase(options.path, {
    synchronous: options.engineSynchronous ?? options.synchronous,
    migrations: SQLITE_MIGRATIONS,
    cacheMb: 64,
    onMigrate: options.onMigrate,
  });
  // A durable inbox syncs its WAL off the event loop (WalSync) rather than inside COMMIT.
  const walSync =
    options.synchronous !== 'normal' && inboxPath !== ':memory:'
      ? new WalSync(`${inboxPath}-wal`)
      : undefined;
  const inbox = openDatabase(inboxPath, {
    synchronous: walSync ? 'normal' : options.synchronous,
    migrations: INBOX_MIGRATIONS,
    cacheMb: 16,
    pageSize: INBOX_PAGE_SIZE,
    onMigrate: options.onMigrate,
  });
  registerSegmentFunctions(db);
  const cache = options.cacheProfiles ? new ProfileCache(options.cacheProfiles) : undefined;
  const deferDurability = (options.engineSynchronous ?? options.synchronous) === 'normal';
  const checkpointer =
    options.checkpointThread && options.path !== ':memory:' && inboxPath !== ':memory:'
      ? new Checkpointer({
          statePath: options.path,
          inboxPath,
          everyMs: CHECKPOINT_EVERY_MS,
          recordDurable: deferDurability,
        })
      : undefined;
  const durableFile = options.path === ':memory:' ? undefined : durableFileOf(options.path);
  return new SqliteStore(db, inbox, {
    cache,
    deferDurability,
    walSync,
    checkpointer,
    durableFile,
    fence: options.inboxFence,
    onMigrate: options.onMigrate,
  });
}

/** How often an append also deletes inbox entries the engine has consumed. */
const PURGE_EVERY_MS = 1000;

class SqliteStore extends SqliteSegmentStore implements Store {
  private readonly q;
  private readonly inbox: SqliteInbox;
  private lastPurge = 0;
  private lastCheckpoint = Number.NEGATIVE_INFINITY;
  private readonly fence: BigInt64Array | undefined;

  constructor(
    private readonly db: Database.Database,
    inboxDb: Database.Database,
    private readonly options: {
      cache: ProfileCache | undefined;
      deferDurability: boolean;
      walSync: WalSync | undefined;
      checkpointer: Checkpointer | undefined;
      /** Where a checkpoint thread (this process's engine or another's) records the durable cursor. */
      durableFile: string | undefined;
      fence: InboxFence | undefined;
      onMigrate: ((line: string) => void) | undefined;
    },
  ) {
    super(db);
    this.inbox = new SqliteInbox(inboxDb, options.walSync);
    this.fence = options.fence && new BigInt64Array(options.fence.buffer, 0, 1);
    // What is in the file when it opens survived whatever ended the last run: it is durable.
    if (this.fence && options.fence?.role === 'append') this.raiseFence(this.inbox.lastSeq());
    // The appending store's dedupe window is read into memory now, not during the first request.
    if (options.fence?.role === 'append') this.inbox.warmDedupe(options.onMigrate);
    this.q = {
      owner: db.prepare(`SELECT profile_id FROM identities WHERE kind = ? AND value = ?`).pluck(),
      profileState: db.prepare(`SELECT state FROM profiles WHERE id = ? AND merged_into IS NULL`).pluck(),
      survivorOf: db.prepare(`SELECT merged_into FROM profiles WHERE id = ?`).pluck(),
      moveIdentities: db.prepare(`UPDATE identities SET profile_id = ? WHERE profile_id = ?`),
      moveEvents: db.prepare(`UPDATE events SET profile_id = ? WHERE profile_id = ?`),
      redirectChain: db.prepare(`UPDATE profiles SET merged_into = ? WHERE merged_into = ?`),
      tombstone: db.prepare(
        `INSERT INTO profiles (id, state, merged_into, created_at, updated_at) VALUES (?, NULL, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = NULL, merged_into = excluded.merged_into, updated_at = excluded.updated_at`,
      ),
      mergeInsert: db.prepare(
        `INSERT INTO merges (from_id, into_id, reason, message_id, at) VALUES (?, ?, ?, ?, ?)`,
      ),
      identityUpsert: db.prepare(
        `INSERT INTO identities (kind, value, profile_id) VALUES (?, ?, ?)
         ON CONFLICT (kind, value) DO UPDATE SET profile_id = excluded.profile_id`,
      ),
      eventInsert: db.prepare(
        `INSERT INTO events (profile_id, message_id, type, name, timestamp, body) VALUES (?, ?, ?, ?, ?, ?)`,
      ),
      profileUpsert: db.prepare(
        `INSERT INTO profiles (id, state, merged_into, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, merged_into = NULL, updated_at = excluded.updated_at`,
      ),
      identitiesOf: db.prepare(
        `SELECT kind, value FROM identities WHERE profile_id = ? ORDER BY kind, value`,
      ),
      mergesOf: db.prepare(
        `SELECT from_id, into_id, reason, message_id, at FROM merges WHERE into_id = ? ORDER BY at, id`,
      ),
      mergedInto: db.prepare(`SELECT id FROM profiles WHERE merged_into = ?`).pluck(),
      eventsPage: db.prepare(
        `SELECT seq, profile_id, body, timestamp FROM events WHERE profile_id = ?
           AND (timestamp < ? OR (timestamp = ? AND seq < ?))
         ORDER BY timestamp DESC, seq DESC LIMIT ?`,
      ),
      search: db.prepare(
        `SELECT state FROM profiles
         WHERE merged_into IS NULL AND id > @cursor AND (
           @q IS NULL OR id = @q
           OR id IN (SELECT profile_id FROM identities WHERE kind IN ${IDENTITY_KINDS_SQL} AND value IN (@q, @lower))
           OR EXISTS (SELECT 1 FROM json_each(state, '$.traits') WHERE CAST(value AS TEXT) LIKE @like ESCAPE '\\')
         )
         ORDER BY id LIMIT @limit`,
      ),
      messageIdsOf: db.prepare(`SELECT message_id FROM events WHERE profile_id = ?`).pluck(),
      deleteEvents: db.prepare(`DELETE FROM events WHERE profile_id = ?`),
      deleteIdentities: db.prepare(`DELETE FROM identities WHERE profile_id = ?`),
      deleteMerges: db.prepare(`DELETE FROM merges WHERE into_id = ? OR from_id = ?`),
      deleteProfile: db.prepare(`DELETE FROM profiles WHERE id = ?`),
      countEvents: db.prepare(`SELECT count(*) FROM events`).pluck(),
      countProfiles: db.prepare(`SELECT count(*) FROM profiles WHERE merged_into IS NULL`).pluck(),
      getSetting: db.prepare(`SELECT value FROM settings WHERE key = ?`).pluck(),
      setSetting: db.prepare(
        `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      ),
    };
  }

  /** How far the engine has consumed the inbox (read each time: the engine may run in another thread). */
  private cursor(key = CURSOR_KEY): number {
    const value = this.q.getSetting.get(key) as string | undefined;
    return value === undefined ? 0 : Number(value);
  }

  /** Inside a transaction: records how far the inbox is consumed (and durably so, when commits sync). */
  private advanceCursor(seq: number): void {
    this.q.setSetting.run(CURSOR_KEY, String(seq));
    if (!this.options.deferDurability) this.q.setSetting.run(DURABLE_KEY, String(seq));
  }

  /**
   * After a commit that moved the cursor, now and then: checkpoint the state file, and if the
   * checkpoint was complete (every WAL frame synced and copied, the database file synced), record the
   * cursor it made durable. Nothing to do when a checkpoint thread does it (`checkpointThread`).
   */
  async maintain(): Promise<void> {
    this.maybeCheckpoint();
  }

  private maybeCheckpoint(): void {
    if (this.options.checkpointer) return;
    const now = performance.now();
    if (now - this.lastCheckpoint < INLINE_CHECKPOINT_EVERY_MS) return;
    this.lastCheckpoint = now;
    checkpointRound(this.db, this.inbox.db, { recordDurable: this.options.deferDurability });
  }

  /**
   * How far the inbox may be purged: the durable cursor recorded in the state file (inline
   * checkpoints, or FULL commits) or by a checkpoint thread in its file, never past the cursor itself
   * (a file left from an older state file must not purge entries this one has not applied).
   */
  private durableCursor(): number {
    const file = this.options.durableFile ? readDurableFile(this.options.durableFile) : 0;
    return Math.max(this.cursor(DURABLE_KEY), Math.min(file, this.cursor()));
  }

  appendToInbox(
    entries: readonly InboxEntry[],
    { now, dedupeSince }: { now: EpochMs; dedupeSince: EpochMs },
  ): Promise<AppendResult> {
    // Consumed entries are deleted here, by the inbox's only writer, rather than by the engine.
    let purgeUpTo = 0;
    try {
      purgeUpTo = now - this.lastPurge >= PURGE_EVERY_MS ? this.durableCursor() : 0;
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (purgeUpTo > 0) this.lastPurge = now;
    // Not async: the entries are not kept referenced while the sync runs (see `GroupCommitter`).
    return this.inbox.append(entries, { now, dedupeSince, purgeUpTo }).then((result) => {
      this.raiseFence(result.lastSeq);
      return result;
    });
  }

  private raiseFence(seq: number): void {
    const fence = this.fence;
    if (!fence || seq <= 0) return;
    // Durable appends may settle out of order with other callers': the fence only moves forward.
    for (let current = Atomics.load(fence, 0); current < BigInt(seq);) {
      const seen = Atomics.compareExchange(fence, 0, current, BigInt(seq));
      if (seen === current) break;
      current = seen;
    }
    Atomics.notify(fence, 0);
  }

  /** Resolves once the inbox is durable up to `seq` (at once without a fence). */
  private async inboxDurable(seq: number): Promise<void> {
    const fence = this.fence;
    if (!fence) return;
    for (let current = Atomics.load(fence, 0); current < BigInt(seq); current = Atomics.load(fence, 0)) {
      // Woken by `raiseFence`; the timeout only bounds a missed wake-up, and the loop checks again.
      const waited = Atomics.waitAsync(fence, 0, current, 1000);
      if (waited.async) await waited.value;
    }
  }

  async readInbox(limit: number): Promise<readonly InboxRow[]> {
    return this.inbox.read(this.cursor(), limit);
  }

  async findOwners(keys: Iterable<IdentityKey>): Promise<Map<IdentityKey, ProfileId>> {
    const owners = new Map<IdentityKey, ProfileId>();
    const cache = this.options.cache;
    for (const key of keys) {
      if (owners.has(key)) continue;
      const cached = cache?.owner(key);
      if (cached !== undefined) {
        owners.set(key, cached);
        continue;
      }
      const { kind, value } = splitIdentityKey(key);
      const owner = this.q.owner.get(kind, value) as ProfileId | undefined;
      if (owner === undefined) continue;
      owners.set(key, owner);
      cache?.noteOwner(key, owner);
    }
    return owners;
  }

  async loadProfiles(ids: Iterable<ProfileId>): Promise<Map<ProfileId, Profile>> {
    const profiles = new Map<ProfileId, Profile>();
    const cache = this.options.cache;
    for (const id of ids) {
      if (profiles.has(id)) continue;
      const cached = cache?.profile(id);
      if (cached !== undefined) {
        profiles.set(id, cached);
        continue;
      }
      const state = this.q.profileState.get(id) as string | undefined;
      if (state === undefined) continue;
      const profile = parseProfile(state);
      profiles.set(id, profile);
      cache?.noteProfile(id, state);
    }
    return profiles;
  }

  invalidateCache(): void {
    this.options.cache?.clear();
  }

  async commitBatch(plan: BatchWrite, consumedSeq?: number): Promise<void> {
    if (consumedSeq !== undefined) await this.inboxDurable(consumedSeq);
    const q = this.q;
    /** The JSON stored for each profile, which the cache keeps. */
    const stored = new Map<ProfileId, string>();
    const write = this.db.transaction(() => {
      if (plan.journeys) this.journeys.runs.write(plan.journeys);
      for (const m of plan.merges) {
        this.segments.forget(m.from);
        this.journeys.runs.reassign(m.from, m.into);
        q.moveIdentities.run(m.into, m.from);
        q.moveEvents.run(m.into, m.from);
        q.redirectChain.run(m.into, m.from);
        q.tombstone.run(m.from, m.into, m.at, m.at);
        q.mergeInsert.run(m.from, m.into, m.reason, m.messageId, m.at);
      }
      for (const [key, pid] of plan.identities) {
        const { kind, value } = splitIdentityKey(key);
        q.identityUpsert.run(kind, value, pid);
      }
      for (const e of plan.events) {
        if (e.signal) continue;
        const m = e.message;
        const name = m.type === 'track' ? (m.event ?? null) : (m.name ?? null);
        const json = e.json ?? JSON.stringify(m);
        q.eventInsert.run(e.profileId, m.messageId, m.type, name, e.timestamp, json);
      }
      for (const p of plan.profiles) {
        const json = JSON.stringify(p);
        stored.set(p.id, json);
        q.profileUpsert.run(p.id, json, p.createdAt, p.lastSeenAt);
      }
      const timers = plan.timers ?? new Map<ProfileId, number | null>();
      this.segments.write(plan.memberships ?? [], this.options.cache?.changedTimers(timers) ?? timers);
      if (plan.outbox) insertPlannedSends(this.db, plan.outbox);
      if (consumedSeq !== undefined) this.advanceCursor(consumedSeq);
    });
    const gate = this.options.checkpointer?.gate;
    if (gate) gate.write(write);
    else write();
    this.options.cache?.remember(plan, stored);
  }

  async eraseProfile(id: ProfileId, consumedSeq: number): Promise<ErasureResult> {
    await this.inboxDurable(consumedSeq);
    const q = this.q;
    this.options.cache?.clear();
    const survivor = (q.survivorOf.get(id) as string | null | undefined) ?? id;
    const exists = q.survivorOf.get(survivor) !== undefined;
    const ids = exists ? [survivor, ...(q.mergedInto.all(survivor) as string[])] : [];
    // Dedupe keys live in the inbox file: forget them first, so that a crash between the two
    // transactions only repeats this idempotent step when the erasure is applied again.
    await this.inbox.forget(ids.flatMap((pid) => q.messageIdsOf.all(pid) as string[]));
    return this.db.transaction((): ErasureResult => {
      let events = 0;
      let identities = 0;
      for (const pid of ids) {
        events += q.deleteEvents.run(pid).changes;
        identities += q.deleteIdentities.run(pid).changes;
        q.deleteMerges.run(pid, pid);
        this.segments.forget(pid as ProfileId);
        this.journeys.runs.forget(pid as ProfileId);
        this.db.prepare(`DELETE FROM segment_changes WHERE profile_id = ?`).run(pid);
        q.deleteProfile.run(pid);
      }
      this.advanceCursor(consumedSeq);
      return { profiles: ids.length, events, identities };
    })();
  }

  async pruneDedupe(before: EpochMs): Promise<number> {
    return this.inbox.pruneDedupe(before);
  }

  async inboxDepth(): Promise<number> {
    return this.inbox.depth(this.cursor());
  }

  async getProfile(id: ProfileId): Promise<ProfileRecord | undefined> {
    const survivor = (this.q.survivorOf.get(id) as string | null | undefined) ?? id;
    const state = this.q.profileState.get(survivor) as string | undefined;
    if (state === undefined) return undefined;
    const identities = (this.q.identitiesOf.all(survivor) as Row[]).map((r) => ({
      kind: r.kind as IdentityKind,
      value: r.value as string,
    }));
    const merges = (this.q.mergesOf.all(survivor) as Row[]).map((r) => ({
      from: r.from_id as ProfileId,
      into: r.into_id as ProfileId,
      reason: r.reason as MergeReason,
      messageId: r.message_id as string,
      at: r.at as EpochMs,
    }));
    return { profile: parseProfile(state), identities, merges };
  }

  async searchProfiles(query: { q?: string; limit: number; cursor?: string }): Promise<Page<Profile>> {
    const q = query.q?.trim() || null;
    const after = query.cursor ? decodeCursor(query.cursor)[0] : '';
    const like = q === null ? null : `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const rows = this.q.search.all({
      q,
      lower: q?.toLowerCase() ?? null,
      like,
      cursor: typeof after === 'string' ? after : '',
      limit: query.limit + 1,
    }) as Row[];
    const items = rows.slice(0, query.limit).map((r) => parseProfile(r.state as string));
    const last = items[items.length - 1];
    return rows.length > query.limit && last ? { items, nextCursor: encodeCursor([last.id]) } : { items };
  }

  /**
   * The timeline, newest first: stored events and, merged in, the membership changes as the
   * `Segment Entered` / `Segment Exited` events they were emitted as (kept once, in segment_changes).
   */
  async listEvents(id: ProfileId, query: { limit: number; cursor?: string }): Promise<Page<StoredEvent>> {
    const survivor = ((this.q.survivorOf.get(id) as string | null | undefined) ?? id) as ProfileId;
    const [ts, seq] = (
      query.cursor ? decodeCursor(query.cursor) : [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]
    ) as [number, number];
    const stored = (this.q.eventsPage.all(survivor, ts, ts, seq, query.limit + 1) as Row[]).map((r) => ({
      seq: r.seq as number,
      profileId: r.profile_id as ProfileId,
      timestamp: r.timestamp as number,
      message: JSON.parse(r.body as string) as InboundMessage,
    }));
    const state = this.q.profileState.get(survivor) as string | undefined;
    const userId = state === undefined ? undefined : parseProfile(state).userIds[0];
    const changes = this.segments.timeline(survivor, [ts, seq], query.limit + 1, userId);
    const rows = [...stored, ...changes]
      .sort((a, b) => b.timestamp - a.timestamp || b.seq - a.seq)
      .slice(0, query.limit + 1);
    const items = rows
      .slice(0, query.limit)
      .map(({ seq, profileId, message }) => ({ seq, profileId, message }));
    const last = rows[query.limit - 1];
    return rows.length > query.limit && last
      ? { items, nextCursor: encodeCursor([last.timestamp, last.seq]) }
      : { items };
  }

  /** Stored track events in [from, to], then the membership changes of that window as their events. */
  override async scanEventsBetween(
    from: EpochMs,
    to: EpochMs,
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): Promise<number> {
    const stored = await super.scanEventsBetween(from, to, onEvent);
    const changes = this.segments.eventsBetween(from, to);
    for (const e of changes) onEvent(e);
    return stored + changes.length;
  }

  async countEvents(): Promise<number> {
    return this.q.countEvents.get() as number;
  }

  async countProfiles(): Promise<number> {
    return this.q.countProfiles.get() as number;
  }

  async getSetting(key: string): Promise<string | undefined> {
    return this.q.getSetting.get(key) as string | undefined;
  }

  async setSetting(key: string, value: string): Promise<void> {
    this.q.setSetting.run(key, value);
  }

  async close(): Promise<void> {
    await this.options.checkpointer?.close();
    this.db.close();
    await this.inbox.close();
  }
}
