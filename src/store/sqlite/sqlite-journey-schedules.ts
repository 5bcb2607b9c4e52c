import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { JourneyWrite, ScheduleState } from '../../core/journeys/journey-write.js';
import { JourneyConflictError, type DueProfileTimer, type StoredSchedule } from '../journey-store.js';

type Row = Record<string, unknown>;

const scheduleOf = (r: Row): StoredSchedule => ({
  journeyId: r.journey_id as string,
  version: r.version as number,
  nextAt: r.next_at as EpochMs | null,
  fanningAt: r.fanning_at as EpochMs | null,
  cursor: r.cursor as string,
});

/**
 * Broadcast schedules (one row per journey: next occurrence, and the fan-out in progress with its
 * cursor) and per-person timers of local-time broadcasts and date triggers. Changed only inside the
 * engine's `commitBatch` transaction, with the runs they start.
 */
export class SqliteJourneySchedules {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      list: db.prepare(`SELECT * FROM journey_schedules ORDER BY journey_id`),
      sync: db.prepare(
        `INSERT INTO journey_schedules (journey_id, version, next_at, fanning_at, cursor) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (journey_id) DO UPDATE SET version = excluded.version, next_at = excluded.next_at,
           fanning_at = excluded.fanning_at, cursor = excluded.cursor
         WHERE journey_schedules.version < excluded.version`,
      ),
      advance: db.prepare(
        `UPDATE journey_schedules SET next_at = @nextAt, fanning_at = @fanningAt, cursor = @cursor
         WHERE journey_id = @id AND next_at IS @wasNext AND fanning_at IS @wasFanning AND cursor = @wasCursor`,
      ),
      due: db.prepare(
        `SELECT journey_id, profile_id, slot, due_at FROM journey_profile_timers WHERE due_at <= ?
         ORDER BY due_at LIMIT ?`,
      ),
      next: db
        .prepare(
          `SELECT min(at) FROM (
             SELECT min(due_at) AS at FROM journey_profile_timers
             UNION ALL SELECT min(CASE WHEN fanning_at IS NOT NULL THEN 0 ELSE next_at END) FROM journey_schedules)`,
        )
        .pluck(),
      setTimer: db.prepare(
        `INSERT INTO journey_profile_timers (journey_id, profile_id, slot, due_at) VALUES (@j, @p, @s, @due)
         ON CONFLICT (journey_id, profile_id, slot) DO UPDATE SET due_at = excluded.due_at
         WHERE journey_profile_timers.due_at != excluded.due_at AND journey_profile_timers.due_at > @keep`,
      ),
      clearTimer: db.prepare(
        `DELETE FROM journey_profile_timers WHERE journey_id = @j AND profile_id = @p AND slot = @s AND due_at > @keep`,
      ),
      dropFired: db.prepare(
        `DELETE FROM journey_profile_timers WHERE journey_id = ? AND profile_id = ? AND slot = ? AND due_at = ?`,
      ),
      reassign: db.prepare(`UPDATE OR IGNORE journey_profile_timers SET profile_id = ? WHERE profile_id = ?`),
      forget: db.prepare(`DELETE FROM journey_profile_timers WHERE profile_id = ?`),
    };
  }

  list(): StoredSchedule[] {
    return (this.q.list.all() as Row[]).map(scheduleOf);
  }

  /** Records a journey version's schedule (a newer version replaces an older one's). */
  sync(journeyId: string, version: number, state: ScheduleState): void {
    this.q.sync.run(journeyId, version, state.nextAt, state.fanningAt, state.cursor);
  }

  due(now: EpochMs, limit: number): DueProfileTimer[] {
    return (this.q.due.all(now, limit) as Row[]).map((r) => ({
      journeyId: r.journey_id as string,
      profileId: r.profile_id as ProfileId,
      slot: r.slot as string,
      dueAt: r.due_at as EpochMs,
    }));
  }

  /** The earliest per-person timer or broadcast (0 when a fan-out is in progress). */
  next(): EpochMs | undefined {
    return (this.q.next.get() as EpochMs | null) ?? undefined;
  }

  /** Writes a step's timers and schedule move inside the caller's transaction. */
  write(w: JourneyWrite): void {
    const q = this.q;
    if (w.schedule) {
      const { journeyId, expected, next } = w.schedule;
      const moved = q.advance.run({
        id: journeyId,
        ...next,
        wasNext: expected.nextAt,
        wasFanning: expected.fanningAt,
        wasCursor: expected.cursor,
      }).changes;
      if (moved !== 1) throw new JourneyConflictError('schedule');
    }
    for (const f of w.firedProfileTimers ?? []) q.dropFired.run(f.journeyId, f.profileId, f.slot, f.dueAt);
    for (const t of w.profileTimers ?? []) {
      const args = { j: t.journeyId, p: t.profileId, s: t.slot, keep: t.unlessDueBy ?? -1 };
      if (t.dueAt === null) q.clearTimer.run(args);
      else q.setTimer.run({ ...args, due: t.dueAt });
    }
  }

  /** Moves a merged person's timers to the survivor (where both have one, the survivor's stays). */
  reassign(from: ProfileId, into: ProfileId): void {
    this.q.reassign.run(into, from);
    this.q.forget.run(from);
  }

  forget(profileId: ProfileId): void {
    this.q.forget.run(profileId);
  }
}
