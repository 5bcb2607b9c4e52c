import type { ProfileId } from '../core/brand.js';
import {
  FOLDED_EVENT_NAMES,
  foldedFromHistory,
  withFoldedTraits,
  type Computed,
} from '../core/computed/computed-traits.js';
import type { Profile } from '../core/profiles/profile.js';
import type { ResolvedEvent } from '../core/profiles/resolve-batch.js';
import { applySegmentsToBatch } from '../core/segments/apply-to-batch.js';
import type { PopulationJobOptions, Progress, ReportProgress } from './job-board.js';

export type ComputedTraitsServiceOptions = PopulationJobOptions;

export interface RebuildResult {
  /** Order and engagement events read. */
  readonly events: number;
  /** Profiles looked at (every one). */
  readonly profiles: number;
  /** Profiles whose computed traits differed from their history, now corrected. */
  readonly changed: number;
  readonly ms: number;
}

/** Profiles per transaction. */
const CHUNK = 1000;

/**
 * Rebuilds every profile's event-derived computed traits (orders, engagement) from its stored history,
 * for when they cannot be trusted to be current: after an upgrade brings a computed trait that older
 * profiles do not have yet, after a fix to how one is computed, or after an import that wrote
 * history without folding it. One grouped pass over the order and engagement events (in profile order),
 * then every profile, a chunk per transaction, each written only if it differs; the segments of the
 * corrected profiles are re-evaluated in the same transaction. Runs in the engine's exclusive lane, so
 * no event is applied meanwhile (ingest goes on into the inbox). One run at a time.
 * @example await new ComputedTraitsService({ store, engine, clock }).rebuild();
 */
export class ComputedTraitsService {
  private running: Promise<RebuildResult> | undefined;

  constructor(private readonly options: ComputedTraitsServiceOptions) {}

  /** Rebuilds every profile; a call while a run is under way gets that run's result. */
  rebuild(): Promise<RebuildResult> {
    const { engine, jobs } = this.options;
    this.running ??= engine
      .exclusive(() => (jobs ? jobs.run('computed-traits', (report) => this.run(report)) : this.run()))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(report?: ReportProgress): Promise<RebuildResult> {
    const progress = (p: Omit<Progress, 'job'>): void => {
      this.options.onProgress?.({ job: 'computed-traits', ...p });
      report?.(p.phase, p.done, p.total);
    };
    const { store, engine, clock } = this.options;
    const started = performance.now();
    const now = clock();
    // The history is read in profile order, so each person's events are folded as soon as they end:
    // what is kept per profile is its traits, not its events.
    const folded = new Map<ProfileId, Computed | undefined>();
    let current: ProfileId | undefined;
    let history: ResolvedEvent[] = [];
    let read = 0;
    const flush = () => {
      if (current === undefined || history.length === 0) return;
      folded.set(current, foldedFromHistory(history));
      history = [];
    };
    const events = await store.scanEvents(FOLDED_EVENT_NAMES, (e) => {
      if (e.profileId !== current) {
        flush();
        current = e.profileId;
      }
      history.push({ seq: 0, profileId: e.profileId, message: e.message, timestamp: e.timestamp });
      if (++read % 100_000 === 0) progress({ phase: 'reading order and engagement events', done: read });
    });
    flush();
    let profiles = 0;
    let changed = 0;
    let cursor = '';
    for (;;) {
      const ids = await store.profileIdsAfter(cursor, CHUNK);
      if (ids.length === 0) break;
      cursor = ids[ids.length - 1]!;
      const loaded = await store.loadProfiles(ids);
      const updated: Profile[] = [];
      for (const profile of loaded.values()) {
        const rebuilt = withFoldedTraits(profile, folded.get(profile.id));
        if (rebuilt !== profile) updated.push(rebuilt);
      }
      profiles += loaded.size;
      changed += updated.length;
      if (updated.length > 0) {
        const plan = { merges: [], identities: new Map(), events: [], profiles: updated };
        await store.commitBatch(applySegmentsToBatch(plan, engine.segments, now));
      }
      progress({ phase: 'correcting profiles', done: profiles });
    }
    return { events, profiles, changed, ms: Math.round(performance.now() - started) };
  }
}
