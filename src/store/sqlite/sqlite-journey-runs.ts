import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { JourneyChannel } from '../../core/journeys/channels.js';
import type { SendCategory } from '../../core/journeys/frequency-caps.js';
import type {
  DecisionRecord,
  JourneyWrite,
  ProfileJourneyState,
  RunHead,
  SendRecord,
} from '../../core/journeys/journey-write.js';
import type { RunState } from '../../core/journeys/run-state.js';
import { JourneyConflictError, type DueJourneyTimer, type RunQuery } from '../journey-store.js';
import { SqliteJourneyCounters } from './sqlite-journey-counters.js';
import { SqliteJourneySchedules } from './sqlite-journey-schedules.js';
import { SqliteJourneyWebhooks } from './sqlite-journey-webhooks.js';

type Row = Record<string, unknown>;

/** A send row as the API and the stats read it. */
export function sendOf(r: Row): SendRecord {
  return {
    idempotencyKey: r.idempotency_key as string,
    profileId: r.profile_id as ProfileId,
    runId: r.run_id as string,
    journeyId: r.journey_id as string,
    nodeId: r.node_id as string,
    kind: r.kind as SendRecord['kind'],
    channel: r.channel as SendRecord['channel'],
    category: r.category as SendCategory,
    target: r.target as string,
    at: r.at as EpochMs,
    context: JSON.parse(r.context as string) as Record<string, unknown>,
  };
}

/** A decision row. */
export function decisionOf(r: Row): DecisionRecord {
  return {
    runId: r.run_id as string,
    journeyId: r.journey_id as string,
    nodeId: r.node_id as string,
    kind: r.kind as DecisionRecord['kind'],
    reason: r.reason as string,
    at: r.at as EpochMs,
    ...(r.until !== null ? { until: r.until as EpochMs } : {}),
  };
}

/** The run half of the SQLite journey store: state, timers, the conditional commit, and reads. */
export class SqliteJourneyRuns {
  readonly schedules: SqliteJourneySchedules;
  readonly counters: SqliteJourneyCounters;
  readonly webhooks: SqliteJourneyWebhooks;
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.schedules = new SqliteJourneySchedules(db);
    this.counters = new SqliteJourneyCounters(db);
    this.webhooks = new SqliteJourneyWebhooks(db);
    this.q = {
      guard: db.prepare(`SELECT version, last_seq FROM journey_profiles WHERE profile_id = ?`),
      claimGuard: db.prepare(
        `INSERT OR IGNORE INTO journey_profiles (profile_id, version, last_seq) VALUES (?, 1, ?)`,
      ),
      bumpGuard: db.prepare(
        `UPDATE journey_profiles SET version = version + 1, last_seq = max(last_seq, @lastSeq)
         WHERE profile_id = @pid AND version = @expected AND (@firstSeq = 0 OR last_seq < @firstSeq)`,
      ),
      runsOf: db.prepare(
        `SELECT run_id, journey_id, run_key, status, started_at,
           CASE WHEN status != 'ended' OR (converted = 0 AND goal_until > ?) THEN state END AS state
         FROM journey_runs WHERE profile_id = ?`,
      ),
      sendsOf: db.prepare(
        `SELECT at, channel, category FROM journey_sends WHERE profile_id = ? AND at > ? AND kind = 'message'`,
      ),
      upsertRun: db.prepare(
        `INSERT INTO journey_runs (run_id, journey_id, version, profile_id, run_key, status, node_id, started_at,
           goal_until, converted, state, ended_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id) DO UPDATE SET version = excluded.version, status = excluded.status,
           node_id = excluded.node_id, goal_until = excluded.goal_until, converted = excluded.converted,
           state = excluded.state, ended_at = excluded.ended_at`,
      ),
      addTimer: db.prepare(
        `INSERT OR IGNORE INTO journey_timers (run_id, token, profile_id, due_at) VALUES (?, ?, ?, ?)`,
      ),
      dropTimer: db.prepare(`DELETE FROM journey_timers WHERE run_id = ? AND token = ?`),
      addSend: db.prepare(
        `INSERT OR IGNORE INTO journey_sends (idempotency_key, profile_id, run_id, journey_id, node_id, kind,
           channel, category, target, at, context) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      addDecision: db.prepare(
        `INSERT INTO journey_decisions (run_id, journey_id, node_id, kind, reason, at, until) VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      addConversion: db.prepare(
        `INSERT OR IGNORE INTO journey_conversions (run_id, journey_id, version, profile_id, event, revenue, at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      addAssignment: db.prepare(
        `INSERT OR IGNORE INTO journey_assignments (run_id, node_id, journey_id, branch, at) VALUES (?, ?, ?, ?, ?)`,
      ),
      // A merge's: prepared once, as every anonymous → known merge runs them.
      moveRows: ['journey_timers', 'journey_sends', 'journey_conversions'].map((table) =>
        db.prepare(`UPDATE ${table} SET profile_id = ? WHERE profile_id = ?`),
      ),
      moveRuns: db.prepare(
        `UPDATE journey_runs SET profile_id = ?, state = json_set(state, '$.profileId', ?) WHERE profile_id = ?`,
      ),
      mergeGuard: db.prepare(
        `INSERT INTO journey_profiles (profile_id, version, last_seq) VALUES (@pid, 1, @lastSeq)
         ON CONFLICT (profile_id) DO UPDATE SET version = version + 1, last_seq = max(last_seq, @lastSeq)`,
      ),
      dropGuard: db.prepare(`DELETE FROM journey_profiles WHERE profile_id = ?`),
      addInput: db.prepare(`INSERT INTO journey_inputs (run_id, at, input) VALUES (?, ?, ?)`),
      due: db.prepare(
        `SELECT run_id, token, profile_id, due_at FROM journey_timers WHERE due_at <= ? ORDER BY due_at LIMIT ?`,
      ),
      next: db.prepare(`SELECT min(due_at) FROM journey_timers`).pluck(),
      cursor: db.prepare(`SELECT value FROM settings WHERE key = 'inbox_cursor'`).pluck(),
      run: db.prepare(`SELECT state FROM journey_runs WHERE run_id = ?`).pluck(),
      inputs: db.prepare(`SELECT at, input FROM journey_inputs WHERE run_id = ? ORDER BY id`),
      refusal: db
        .prepare(
          `SELECT reason FROM journey_decisions WHERE run_id = ? AND kind = 'refused' ORDER BY id DESC`,
        )
        .pluck(),
    };
  }

  /** Reads people's journey state in one snapshot (a read transaction). */
  load(
    ids: Iterable<ProfileId>,
    options: { now: EpochMs; sendsSince: EpochMs },
  ): Map<ProfileId, ProfileJourneyState> {
    const q = this.q;
    return this.db.transaction(() => {
      const out = new Map<ProfileId, ProfileJourneyState>();
      for (const id of ids) {
        if (out.has(id)) continue;
        const guard = q.guard.get(id) as { version: number; last_seq: number } | undefined;
        const runs: RunState[] = [];
        const heads: RunHead[] = [];
        if (guard) {
          for (const r of q.runsOf.all(options.now, id) as Row[]) {
            heads.push({
              runId: r.run_id as string,
              journeyId: r.journey_id as string,
              status: r.status as RunState['status'],
              startedAt: r.started_at as EpochMs,
              ...(r.run_key !== null ? { runKey: r.run_key as string } : {}),
            });
            if (typeof r.state === 'string') runs.push(JSON.parse(r.state) as RunState);
          }
        }
        const recentSends =
          guard && options.sendsSince < options.now
            ? (q.sendsOf.all(id, options.sendsSince) as Row[]).map((s) => ({
                at: s.at as EpochMs,
                channel: s.channel as JourneyChannel,
                category: s.category as SendCategory,
              }))
            : [];
        out.set(id, {
          runs,
          heads,
          recentSends,
          version: guard?.version ?? 0,
          lastSeq: guard?.last_seq ?? 0,
        });
      }
      return out;
    })();
  }

  /**
   * Writes a journey step inside the caller's transaction. First the guards: a person whose state
   * moved since it was read (another engine committed), or whose inputs in this batch were already
   * applied, fails the whole transaction with `JourneyConflictError`.
   */
  write(w: JourneyWrite): void {
    const q = this.q;
    // Writes first (no read before them), so the transaction takes the write lock with its first
    // statement and waits for it under busy_timeout instead of failing on a stale read snapshot.
    for (const [pid, g] of w.guards) {
      const moved =
        g.expectedVersion === 0
          ? q.claimGuard.run(pid, g.lastSeq).changes
          : q.bumpGuard.run({ lastSeq: g.lastSeq, pid, expected: g.expectedVersion, firstSeq: g.firstSeq })
              .changes;
      if (moved !== 1) throw new JourneyConflictError(pid);
    }
    // The inbox cursor is the store's (sqlite-store.ts, CURSOR_KEY): entries at or below it are applied.
    if (w.inboxFirstSeq > 0 && Number(q.cursor.get() ?? 0) >= w.inboxFirstSeq)
      throw new JourneyConflictError('inbox');
    for (const { state: s, goalUntil } of w.runs) {
      const converted = s.convertedAt !== undefined ? 1 : 0;
      q.upsertRun.run(
        s.runId,
        s.journeyId,
        s.version,
        s.profileId,
        s.runKey ?? null,
        s.status,
        s.nodeId,
        s.startedAt,
        goalUntil,
        converted,
        JSON.stringify(s),
        s.endedAt ?? null,
      );
    }
    for (const t of w.firedTimers) q.dropTimer.run(t.runId, t.token);
    for (const t of w.timers) q.addTimer.run(t.runId, t.token, t.profileId, t.dueAt);
    const sends = w.sends.map((s) => {
      const added = q.addSend.run(
        s.idempotencyKey,
        s.profileId,
        s.runId,
        s.journeyId,
        s.nodeId,
        s.kind,
        s.channel,
        s.category,
        s.target,
        s.at,
        JSON.stringify(s.context),
      );
      if (added.changes === 1 && s.kind === 'webhook') this.webhooks.add(Number(added.lastInsertRowid), s.at);
      return added.changes === 1;
    });
    for (const d of w.decisions)
      q.addDecision.run(d.runId, d.journeyId, d.nodeId, d.kind, d.reason, d.at, d.until ?? null);
    const conversions = w.conversions.map(
      (c) =>
        q.addConversion.run(c.runId, c.journeyId, c.version, c.profileId, c.event, c.revenue, c.at)
          .changes === 1,
    );
    for (const a of w.assignments) q.addAssignment.run(a.runId, a.nodeId, a.journeyId, a.branch, a.at);
    for (const i of w.inputs) q.addInput.run(i.runId, i.at, JSON.stringify(i.input));
    this.schedules.write(w);
    this.counters.write(w, { sends, conversions });
  }

  /**
   * Moves a merged person's journey state to the survivor, inside the caller's (the merge's)
   * transaction: runs (their state names the person too), timers, sends (caps count them), conversions
   * and per-person timers. The survivor's guard moves on, so an engine holding its old state retries.
   */
  reassign(from: ProfileId, into: ProfileId): void {
    const q = this.q;
    q.moveRuns.run(into, into, from);
    for (const move of q.moveRows) move.run(into, from);
    this.schedules.reassign(from, into);
    const loser = q.guard.get(from) as { version: number; last_seq: number } | undefined;
    if (!loser) return;
    q.mergeGuard.run({ pid: into, lastSeq: loser.last_seq });
    q.dropGuard.run(from);
  }

  /** Removes a person's journey state (erasure); inside the caller's transaction. */
  forget(profileId: ProfileId): void {
    for (const table of ['journey_timers', 'journey_sends', 'journey_conversions', 'journey_profiles'])
      this.db.prepare(`DELETE FROM ${table} WHERE profile_id = ?`).run(profileId);
    this.db
      .prepare(
        `DELETE FROM journey_inputs WHERE run_id IN (SELECT run_id FROM journey_runs WHERE profile_id = ?)`,
      )
      .run(profileId);
    this.db.prepare(`DELETE FROM journey_runs WHERE profile_id = ?`).run(profileId);
    this.schedules.forget(profileId);
  }

  due(now: EpochMs, limit: number): DueJourneyTimer[] {
    return (this.q.due.all(now, limit) as Row[]).map((r) => ({
      runId: r.run_id as string,
      token: r.token as number,
      profileId: r.profile_id as ProfileId,
      dueAt: r.due_at as EpochMs,
    }));
  }

  next(): EpochMs | undefined {
    const timer = (this.q.next.get() as EpochMs | null) ?? undefined;
    const scheduled = this.schedules.next();
    return timer === undefined || (scheduled !== undefined && scheduled < timer) ? scheduled : timer;
  }

  get(runId: string): RunState | undefined {
    const state = this.q.run.get(runId) as string | undefined;
    return state === undefined ? undefined : (JSON.parse(state) as RunState);
  }

  list(query: RunQuery): RunState[] {
    const filters: [string, unknown][] = [
      ['run_id > ?', query.after ?? ''],
      ...(query.journeyId !== undefined ? [['journey_id = ?', query.journeyId] as [string, unknown]] : []),
      ...(query.profileId !== undefined ? [['profile_id = ?', query.profileId] as [string, unknown]] : []),
      ...(query.status !== undefined ? [['status = ?', query.status] as [string, unknown]] : []),
    ];
    const where = filters.map(([sql]) => sql);
    const params = filters.map(([, value]) => value);
    const sql = `SELECT state FROM journey_runs WHERE ${where.join(' AND ')} ORDER BY run_id LIMIT ?`;
    return (
      this.db
        .prepare(sql)
        .pluck()
        .all(...params, query.limit) as string[]
    ).map((s) => JSON.parse(s) as RunState);
  }

  inputs(runId: string): { at: EpochMs; input: unknown }[] {
    return (this.q.inputs.all(runId) as Row[]).map((r) => ({
      at: r.at as EpochMs,
      input: JSON.parse(r.input as string) as unknown,
    }));
  }

  refusal(runId: string): string | undefined {
    return this.q.refusal.get(runId) as string | undefined;
  }
}
