import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ProfileRange } from '../../core/segments/compile-batch-sql.js';
import { compileSegmentSql } from '../../core/segments/compile-sql.js';
import type { Condition, SegmentDefinition } from '../../core/segments/definition.js';
import type { MembershipChange } from '../../core/segments/memberships.js';
import { membershipEvent } from '../../core/segments/segment-step.js';
import { decodeCursor, encodeCursor } from '../cursor.js';
import { runSegmentBatch, splitProfileRange } from './segment-batch.js';
import type { SegmentBatchJob } from './segment-batch-worker.js';
import { syncEventPropertyIndexes } from './sqlite-segment-indexes.js';
import type { MembershipChangeRecord, MembershipRecord, Page, StoredEvent, StoredSegment } from '../store.js';
import { withoutPreloads } from '../worker-argv.js';

type Row = Record<string, unknown>;

/** Below this many events, a recompute runs on the store's own connection: threads cost more than they save. */
const PARALLEL_FROM_EVENTS = 1_000_000;

/** Evaluates a batch in a worker thread (see `segment-batch-worker.ts`). */
function runInWorker(job: SegmentBatchJob): Promise<ProfileId[][]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./segment-batch-worker-entry.mjs', import.meta.url), {
      workerData: job,
      execArgv: withoutPreloads(process.execArgv),
    });
    worker.once('message', (answers: string[]) => {
      resolve(answers.map((ids) => (ids === '' ? [] : (ids.split('\n') as ProfileId[]))));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`segment batch worker exited with code ${code}`));
    });
  });
}

/** Timeline positions of membership changes start here, above any stored event's sequence number. */
const CHANGE_SEQ_BASE = 2 ** 50;

/** A `segment_changes` row as the event it was emitted as (`membershipEvent`). */
function changeEvent(
  row: Row,
  names: ReadonlyMap<string, string>,
  userId: string | undefined,
): InboundMessage {
  const segmentId = row.segment_id as string;
  const change = {
    segmentId,
    profileId: row.profile_id as ProfileId,
    entered: row.entered === 1,
    at: row.at as number,
  };
  return membershipEvent(change, names.get(segmentId) ?? segmentId, userId);
}

/** The segment half of the SQLite store: definitions, memberships, their history, timers. */
export class SqliteSegments {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      get: db.prepare(`SELECT id, version, definition, created_at, updated_at FROM segments WHERE id = ?`),
      list: db.prepare(`SELECT id, version, definition, created_at, updated_at FROM segments ORDER BY id`),
      upsert: db.prepare(
        `INSERT INTO segments (id, version, definition, created_at, updated_at) VALUES (?, 1, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET version = segments.version + 1, definition = excluded.definition,
           updated_at = excluded.updated_at`,
      ),
      delete: db.prepare(`DELETE FROM segments WHERE id = ?`),
      deleteMembers: db.prepare(`DELETE FROM segment_members WHERE segment_id = ?`),
      enter: db.prepare(
        `INSERT OR IGNORE INTO segment_members (segment_id, profile_id, entered_at) VALUES (?, ?, ?)`,
      ),
      exit: db.prepare(`DELETE FROM segment_members WHERE segment_id = ? AND profile_id = ?`),
      forgetMembers: db.prepare(
        `DELETE FROM segment_members WHERE (segment_id, profile_id) IN (SELECT id, ? FROM segments)`,
      ),
      change: db.prepare(
        `INSERT INTO segment_changes (segment_id, profile_id, entered, at) VALUES (?, ?, ?, ?)`,
      ),
      members: db
        .prepare(
          `SELECT profile_id FROM segment_members WHERE segment_id = ? AND profile_id > ? ORDER BY profile_id LIMIT ?`,
        )
        .pluck(),
      allMembers: db.prepare(`SELECT profile_id FROM segment_members WHERE segment_id = ?`).pluck(),
      historyOfProfile: db.prepare(
        `SELECT segment_id, profile_id, entered, at FROM segment_changes WHERE profile_id = ? ORDER BY at, id LIMIT ?`,
      ),
      historyOfSegment: db.prepare(
        `SELECT segment_id, profile_id, entered, at FROM segment_changes WHERE segment_id = ? ORDER BY at, id LIMIT ?`,
      ),
      timelineOfProfile: db.prepare(
        `SELECT id, segment_id, profile_id, entered, at FROM segment_changes
         WHERE profile_id = ? AND (at < ? OR (at = ? AND id < ? - ${CHANGE_SEQ_BASE})) ORDER BY at DESC, id DESC LIMIT ?`,
      ),
      between: db.prepare(
        `SELECT id, segment_id, profile_id, entered, at FROM segment_changes WHERE at BETWEEN ? AND ?`,
      ),
      names: db.prepare(`SELECT id, json_extract(definition, '$.name') AS name FROM segments`),
      changesAfter: db.prepare(
        `SELECT id, segment_id, profile_id, entered, at FROM segment_changes WHERE id > ? ORDER BY id LIMIT ?`,
      ),
      setTimer: db.prepare(
        `INSERT INTO timers (profile_id, kind, due_at) VALUES (?, 'segments', ?)
         ON CONFLICT (profile_id, kind) DO UPDATE SET due_at = excluded.due_at`,
      ),
      clearTimer: db.prepare(`DELETE FROM timers WHERE profile_id = ? AND kind = 'segments'`),
      due: db.prepare(`SELECT profile_id, due_at FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?`),
      next: db.prepare(`SELECT min(due_at) FROM timers`).pluck(),
      ids: db
        .prepare(`SELECT id FROM profiles WHERE merged_into IS NULL AND id > ? ORDER BY id LIMIT ?`)
        .pluck(),
    };
  }

  private stored(row: Row): StoredSegment {
    return {
      definition: JSON.parse(row.definition as string) as SegmentDefinition,
      version: row.version as number,
      createdAt: row.created_at as EpochMs,
      updatedAt: row.updated_at as EpochMs,
    };
  }

  save(definition: SegmentDefinition, now: EpochMs): StoredSegment {
    this.q.upsert.run(definition.id, JSON.stringify(definition), now, now);
    return this.get(definition.id)!;
  }

  get(id: string): StoredSegment | undefined {
    const row = this.q.get.get(id) as Row | undefined;
    return row ? this.stored(row) : undefined;
  }

  list(): StoredSegment[] {
    return (this.q.list.all() as Row[]).map((r) => this.stored(r));
  }

  delete(id: string): boolean {
    return this.db.transaction(() => {
      this.q.deleteMembers.run(id);
      return this.q.delete.run(id).changes > 0;
    })();
  }

  query(condition: Condition, now: EpochMs): ProfileId[] {
    const { sql, params } = compileSegmentSql(condition, { now });
    return this.db
      .prepare(sql)
      .pluck()
      .all(...params) as ProfileId[];
  }

  /**
   * Every segment's members at `now`, from shared scans (see `compileSegmentsSql`). The definitions
   * are all the segments: indexes of event properties none of them reads are dropped. A large store is
   * split by profile id into one range per core, each evaluated by a worker thread on its own
   * read-only connection (the caller holds the engine's exclusive lane, so nothing writes meanwhile).
   */
  async queryAll(definitions: readonly SegmentDefinition[], now: EpochMs): Promise<Map<string, ProfileId[]>> {
    const eventIndexes = syncEventPropertyIndexes(this.db, definitions);
    const ranges = this.parallelRanges();
    const parts =
      ranges.length < 2
        ? [runSegmentBatch(this.db, definitions, { now, eventIndexes })]
        : await Promise.all(
            ranges.map((range) =>
              runInWorker({ path: this.db.name, definitions, now, eventIndexes: [...eventIndexes], range }),
            ),
          );
    // Ranges are in id order, so each segment's list stays in ascending order.
    return new Map(definitions.map((d, i) => [d.id, parts.flatMap((p) => p[i]!)]));
  }

  /** Ranges of profile ids to evaluate in parallel; one (or none) for small or in-memory stores. */
  private parallelRanges(): ProfileRange[] {
    if (this.db.memory || this.db.name === '') return [];
    const events = (this.db.prepare(`SELECT max(seq) FROM events`).pluck().get() as number | null) ?? 0;
    if (events < PARALLEL_FROM_EVENTS) return [];
    const ids = this.db.prepare(`SELECT min(id) AS min, max(id) AS max FROM profiles`).get() as Row;
    if (typeof ids.min !== 'string' || typeof ids.max !== 'string') return [];
    return splitProfileRange(ids.min, ids.max, Math.min(availableParallelism(), 4));
  }

  /** Applies membership changes and timers; runs inside the caller's transaction. */
  write(memberships: readonly MembershipChange[], timers: ReadonlyMap<ProfileId, number | null>): void {
    for (const c of memberships) {
      if (c.entered) this.q.enter.run(c.segmentId, c.profileId, c.at);
      else this.q.exit.run(c.segmentId, c.profileId);
      this.q.change.run(c.segmentId, c.profileId, c.entered ? 1 : 0, c.at);
    }
    for (const [profileId, dueAt] of timers) {
      if (dueAt === null) this.q.clearTimer.run(profileId);
      else this.q.setTimer.run(profileId, dueAt);
    }
  }

  /** Removes a profile's memberships and timers (merged away or erased); inside the caller's transaction. */
  forget(profileId: ProfileId): void {
    // By primary key, one probe per defined segment: no index on profile_id for every change to maintain.
    this.q.forgetMembers.run(profileId);
    this.q.clearTimer.run(profileId);
  }

  members(segmentId: string, query: { limit: number; cursor?: string }): Page<ProfileId> {
    const after = query.cursor ? String(decodeCursor(query.cursor)[0]) : '';
    const rows = this.q.members.all(segmentId, after, query.limit + 1) as ProfileId[];
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return rows.length > query.limit && last ? { items, nextCursor: encodeCursor([last]) } : { items };
  }

  memberIds(segmentId: string): ProfileId[] {
    return this.q.allMembers.all(segmentId) as ProfileId[];
  }

  /**
   * A profile's membership changes as the `Segment Entered` / `Segment Exited` events the journey
   * stage saw, newest first, before the timeline position `(at, seq)`; a change's `seq` is its id
   * plus `CHANGE_SEQ_BASE`, so it sorts before (newer than) the stored events of its millisecond, the
   * one that caused it among them.
   */
  timeline(
    profileId: ProfileId,
    before: readonly [number, number],
    limit: number,
    userId: string | undefined,
  ): (StoredEvent & { readonly timestamp: number })[] {
    const names = this.names();
    const [at, seq] = before;
    return (this.q.timelineOfProfile.all(profileId, at, at, seq, limit) as Row[]).map((r) => ({
      seq: CHANGE_SEQ_BASE + (r.id as number),
      profileId,
      timestamp: r.at as number,
      message: changeEvent(r, names, userId),
    }));
  }

  /** Every membership change in [from, to] as its event (for the journey simulator), unordered. */
  eventsBetween(
    from: EpochMs,
    to: EpochMs,
  ): { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }[] {
    const names = this.names();
    return (this.q.between.all(from, to) as Row[]).map((r) => ({
      profileId: r.profile_id as ProfileId,
      timestamp: r.at as EpochMs,
      message: changeEvent(r, names, undefined),
    }));
  }

  private names(): Map<string, string> {
    const rows = this.q.names.all() as { id: string; name: unknown }[];
    return new Map(rows.map((r) => [r.id, typeof r.name === 'string' ? r.name : r.id]));
  }

  history(filter: { profileId?: ProfileId; segmentId?: string; limit: number }): MembershipRecord[] {
    const rows = (
      filter.profileId !== undefined
        ? this.q.historyOfProfile.all(filter.profileId, filter.limit)
        : this.q.historyOfSegment.all(filter.segmentId ?? '', filter.limit)
    ) as Row[];
    return rows.map((r) => ({
      segmentId: r.segment_id as string,
      profileId: r.profile_id as ProfileId,
      entered: r.entered === 1,
      at: r.at as EpochMs,
    }));
  }

  changes(after: number, limit: number): MembershipChangeRecord[] {
    return (this.q.changesAfter.all(after, limit) as Row[]).map((r) => ({
      id: r.id as number,
      segmentId: r.segment_id as string,
      profileId: r.profile_id as ProfileId,
      entered: r.entered === 1,
      at: r.at as EpochMs,
    }));
  }

  sizeHistory(segmentId: string): { day: string; entered: number; exited: number; size: number }[] {
    const rows = this.db
      .prepare(
        `SELECT date(at / 1000, 'unixepoch') AS day, sum(entered) AS entered, sum(1 - entered) AS exited
         FROM segment_changes WHERE segment_id = ? GROUP BY day ORDER BY day`,
      )
      .all(segmentId) as { day: string; entered: number; exited: number }[];
    let size = 0;
    return rows.map((r) => {
      size += r.entered - r.exited;
      return { ...r, size };
    });
  }

  due(now: EpochMs, limit: number): { profileId: ProfileId; dueAt: EpochMs }[] {
    return (this.q.due.all(now, limit) as Row[]).map((r) => ({
      profileId: r.profile_id as ProfileId,
      dueAt: r.due_at as EpochMs,
    }));
  }

  next(): EpochMs | undefined {
    return (this.q.next.get() as EpochMs | null) ?? undefined;
  }

  profileIdsAfter(cursor: string, limit: number): ProfileId[] {
    return this.q.ids.all(cursor, limit) as ProfileId[];
  }

  scanEvents(
    names: readonly string[],
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): number {
    if (names.length === 0) return 0;
    const stmt = this.db.prepare(
      `SELECT profile_id, timestamp, body FROM events WHERE type = 'track' AND name IN (${names.map(() => '?').join(',')})
       ORDER BY profile_id, timestamp, seq`,
    );
    let n = 0;
    for (const row of stmt.iterate(...names) as Iterable<Row>) {
      onEvent({
        profileId: row.profile_id as ProfileId,
        timestamp: row.timestamp as EpochMs,
        message: JSON.parse(row.body as string) as InboundMessage,
      });
      n++;
    }
    return n;
  }
}
