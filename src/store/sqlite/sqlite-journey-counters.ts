import type Database from 'better-sqlite3';
import type { EpochMs } from '../../core/brand.js';
import { counterKey } from '../../core/journeys/journey-stats.js';
import type { JourneyWrite } from '../../core/journeys/journey-write.js';
import type { JourneyCounters } from '../journey-store.js';

type Row = Record<string, unknown>;

/**
 * A journey's statistics as counters, bumped in the transaction that writes the runs, sends and
 * decisions they count, so reading them is O(nodes) however many runs there are. Runs waiting now
 * are counted from the runs index instead (they come and go with every step).
 */
export class SqliteJourneyCounters {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      bump: db.prepare(
        `INSERT INTO journey_counters (journey_id, node_id, name, value) VALUES (?, ?, ?, ?)
         ON CONFLICT (journey_id, node_id, name) DO UPDATE SET value = value + excluded.value`,
      ),
      of: db.prepare(`SELECT node_id, name, value FROM journey_counters WHERE journey_id = ?`),
      waiting: db.prepare(
        `SELECT node_id, count(*) AS n FROM journey_runs WHERE journey_id = ? AND status = 'active' GROUP BY node_id`,
      ),
      prune: db.prepare(
        `DELETE FROM journey_inputs WHERE run_id IN (SELECT run_id FROM journey_runs WHERE ended_at < ?)`,
      ),
    };
  }

  /**
   * Adds a step's counts inside the caller's transaction: run deltas, plus the sends, decisions and
   * revenue `inserted` says were new (a duplicate idempotency key counts nothing).
   */
  write(w: JourneyWrite, inserted: { sends: readonly boolean[]; conversions: readonly boolean[] }): void {
    const totals = new Map<string, { journeyId: string; key: string; value: number }>();
    const add = (journeyId: string, key: string, value: number): void => {
      const k = `${journeyId}\n${key}`;
      const t = totals.get(k);
      if (t) t.value += value;
      else totals.set(k, { journeyId, key, value });
    };
    for (const r of w.runs)
      for (const [key, value] of Object.entries(r.counters ?? {})) add(r.state.journeyId, key, value);
    w.sends.forEach((s, i) => {
      if (s.kind !== 'message' || !inserted.sends[i]) return;
      add(s.journeyId, counterKey(s.nodeId, 'messages'), 1);
      add(s.journeyId, counterKey('', 'messages'), 1);
    });
    for (const d of w.decisions)
      if (d.kind === 'deferred' || d.kind === 'skipped') add(d.journeyId, counterKey(d.nodeId, d.kind), 1);
    w.conversions.forEach((c, i) => {
      if (inserted.conversions[i]) add(c.journeyId, counterKey('', 'revenue'), c.revenue);
    });
    for (const { journeyId, key, value } of totals.values()) {
      if (value === 0) continue;
      const tab = key.indexOf('\t');
      this.q.bump.run(journeyId, key.slice(0, tab), key.slice(tab + 1), value);
    }
  }

  read(journeyId: string): JourneyCounters {
    const counters = (this.q.of.all(journeyId) as Row[]).map((r) => ({
      nodeId: r.node_id as string,
      name: r.name as string,
      value: r.value as number,
    }));
    const waiting = new Map(
      (this.q.waiting.all(journeyId) as Row[]).map((r) => [r.node_id as string, r.n as number]),
    );
    return { counters, waiting };
  }

  /** Deletes the inputs of runs that ended before `before`; returns how many. */
  pruneInputs(before: EpochMs): number {
    return this.q.prune.run(before).changes;
  }
}
