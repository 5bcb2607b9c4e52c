import type { EpochMs, ProfileId } from '../core/brand.js';
import { readOrderTraits } from '../core/computed/order-traits.js';
import { applyRfmScore, rfmInputOf } from '../core/computed/rfm-scores.js';
import { RFM_GROUPS, scoreRfm, type RfmGroup, type RfmInput, type RfmResult } from '../core/stats/rfm.js';
import type { Store } from '../store/store.js';
import { writeComputed } from './computed-writer.js';
import type { JobBoard } from './job-board.js';
import type { EngineHandle } from './profile-engine.js';

export interface RfmServiceOptions {
  readonly store: Store;
  readonly engine: EngineHandle;
  readonly clock: () => EpochMs;
  /** Where a recompute is listed while it runs (`GET /api/jobs`). */
  readonly jobs?: JobBoard;
}

/** What a recompute did; also what `GET /api/computed/rfm` shows until the next one. */
export interface RfmSummary {
  readonly computedAt: string;
  /** People with at least one order, all scored. */
  readonly customers: number;
  /** Profiles whose scores changed. */
  readonly changed: number;
  /** Profiles whose group changed (each recorded as an `RFM Group Changed` event). */
  readonly groupChanges: number;
  readonly groups: Readonly<Record<RfmGroup, number>>;
  readonly ms: number;
}

const SETTING = 'rfm_summary';
const CHUNK = 2000;

/**
 * The RFM job: scores every customer against the whole customer base (`core/stats/rfm.ts`) and writes
 * `rfmRecency`, `rfmFrequency`, `rfmMonetary` and `rfmGroup` into their profiles through the engine's
 * exclusive lane; a changed group is recorded as an `RFM Group Changed` event and the profile's
 * segments are re-evaluated. Runs on a schedule and on demand; one run at a time.
 * @example const rfm = new RfmService({ store, engine, clock }); await rfm.recompute();
 */
export class RfmService {
  private running: Promise<RfmSummary> | undefined;

  constructor(private readonly options: RfmServiceOptions) {}

  /** Recomputes every score; a call while a run is under way gets that run's result. */
  recompute(): Promise<RfmSummary> {
    const jobs = this.options.jobs;
    this.running ??= (jobs ? jobs.run('rfm', () => this.run()) : this.run()).finally(
      () => (this.running = undefined),
    );
    return this.running;
  }

  /** The summary of the last recompute, if any. */
  async lastSummary(): Promise<RfmSummary | undefined> {
    const saved = await this.options.store.getSetting(SETTING);
    return saved === undefined ? undefined : (JSON.parse(saved) as RfmSummary);
  }

  private async run(): Promise<RfmSummary> {
    const { store, clock } = this.options;
    const started = performance.now();
    const now = clock();
    // The population filter runs in the database: only customers and previously scored profiles load.
    const customers = await store.querySegment(
      { type: 'computed', trait: 'ordersCount', op: 'gte', value: 1 },
      now,
    );
    const scoredBefore = await store.querySegment({ type: 'computed', trait: 'rfmGroup', op: 'exists' }, now);
    const inputs: RfmInput[] = [];
    for (let i = 0; i < customers.length; i += CHUNK) {
      const profiles = await store.loadProfiles(customers.slice(i, i + CHUNK));
      for (const p of profiles.values()) {
        const input = rfmInputOf(p, now);
        if (input) inputs.push(input);
      }
    }
    const scores = new Map<string, RfmResult>(scoreRfm(inputs).map((s) => [s.id, s]));
    const targets = [...new Set<ProfileId>([...customers, ...scoredBefore])];
    let groupChanges = 0;
    const changed = await writeComputed(this.options, targets, (profile, at) => {
      const score = scores.get(profile.id);
      // Became a customer after the snapshot: scored on the next run rather than cleared now.
      if (!score && readOrderTraits(profile.computed)) return undefined;
      const result = applyRfmScore(profile, score, at);
      if (result?.event) groupChanges++;
      return result;
    });
    const groups = Object.fromEntries(RFM_GROUPS.map((g) => [g, 0])) as Record<RfmGroup, number>;
    for (const s of scores.values()) groups[s.group]++;
    const summary: RfmSummary = {
      computedAt: new Date(now).toISOString(),
      customers: scores.size,
      changed,
      groupChanges,
      groups,
      ms: Math.round(performance.now() - started),
    };
    await store.setSetting(SETTING, JSON.stringify(summary));
    return summary;
  }
}
