import { randomBytes } from 'node:crypto';
import { asEpochMs, MS_PER_DAY, type EpochMs, type ProfileId } from '../core/brand.js';
import {
  longestCapWindowMs,
  prepareJourneys,
  type ActiveJourneys,
} from '../core/journeys/active-journeys.js';
import { applyJourneysToBatch } from '../core/journeys/apply-journeys-to-batch.js';
import { parseSendPolicy, SEND_POLICY_KEY } from '../core/journeys/send-policy.js';
import type { Profile } from '../core/profiles/profile.js';
import type { BatchPlan } from '../core/profiles/resolve-batch.js';
import { JourneyConflictError } from '../store/journey-store.js';
import type { BatchWrite, Store } from '../store/store.js';
import { toPlannedSends } from './journey-outbox.js';

export interface JourneyRunnerOptions {
  readonly store: Store;
  readonly clock: () => EpochMs;
  /** Run ids; defaults to time-ordered random ids. */
  readonly newRunId?: () => string;
  /** Events older than this (relative to now) feed runs but start none. Default one day. */
  readonly startWindowMs?: number;
  /** Timers fired per transaction. */
  readonly timerBatch?: number;
}

/** Time-ordered random run ids (`run_` + 48-bit ms + 64 random bits, base 36). */
export function createRunId(now: number = Date.now()): string {
  return `run_${now.toString(36).padStart(10, '0')}${randomBytes(8).toString('hex')}`;
}

/** Whether a failed commit only lost a race with another engine (retry at once, reading again). */
export const isJourneyConflict = (error: unknown): boolean => error instanceof JourneyConflictError;

/**
 * The journey stage of the engine: keeps the published journeys and the send policy (reloaded when
 * the store's journeys revision moves, so a publish in another thread or process is picked up), adds
 * the pure journey step to each batch, and fires due journey timers. All writes go through the
 * batch's one `commitBatch` transaction; its guards make a race with another engine a retry.
 * @example const runner = new JourneyRunner({ store, clock }); await runner.refresh(); write = await runner.extend(write, now);
 */
export class JourneyRunner {
  private active: ActiveJourneys = prepareJourneys([], []);
  private revision = -1;

  constructor(private readonly options: JourneyRunnerOptions) {}

  get journeys(): ActiveJourneys {
    return this.active;
  }

  /** Reloads journeys and policy if they changed since the last look (one settings read otherwise). */
  async refresh(): Promise<void> {
    const { store } = this.options;
    const revision = await store.journeysRevision();
    if (revision === this.revision) return;
    const { latest, all } = await store.publishedJourneys();
    this.active = prepareJourneys(latest, all, parseSendPolicy(await store.getSetting(SEND_POLICY_KEY)));
    this.revision = revision;
  }

  /** Adds the journey step to a batch (after segments, so `Segment Entered` events can start runs). */
  async extend<W extends BatchPlan & BatchWrite>(write: W, now: EpochMs): Promise<W> {
    if (this.active.latest.length === 0 || write.profiles.length === 0) return write;
    return this.step(write, now, []);
  }

  /** Fires the journey timers due now, oldest first, in one transaction; returns how many. */
  async fireTimers(now: EpochMs): Promise<number> {
    const { store } = this.options;
    const due = await store.dueJourneyTimers(now, this.options.timerBatch ?? 2000);
    if (due.length === 0) return 0;
    const profiles = await store.loadProfiles(new Set(due.map((d) => d.profileId)));
    const plan: BatchWrite = {
      merges: [],
      identities: new Map(),
      events: [],
      profiles: [...profiles.values()],
    };
    const write = await this.step(plan, now, due);
    // Only the people whose traits a journey updated are written back.
    const changed = new Set(write.profiles.filter((p) => profiles.get(p.id) !== p).map((p) => p.id));
    await store.commitBatch({ ...write, profiles: write.profiles.filter((p) => changed.has(p.id)) });
    return due.length;
  }

  /** The earliest pending journey timer. */
  nextTimer(): Promise<EpochMs | undefined> {
    return this.options.store.nextJourneyTimer();
  }

  private async step<W extends BatchPlan & BatchWrite>(
    write: W,
    now: EpochMs,
    timers: readonly { runId: string; profileId: ProfileId; token: number }[],
  ): Promise<W> {
    const sendsSince = asEpochMs(now - longestCapWindowMs(this.active.policy));
    const states = await this.options.store.loadJourneyStates(
      write.profiles.map((p) => p.id),
      { now, sendsSince },
    );
    const { write: journeys, profiles } = applyJourneysToBatch(
      { profiles: write.profiles, events: write.events, timers, states },
      {
        journeys: this.active,
        now,
        newRunId: this.options.newRunId ?? (() => createRunId(now)),
        startsSince: asEpochMs(now - (this.options.startWindowMs ?? MS_PER_DAY)),
      },
    );
    const updated: Profile[] = write.profiles.map((p) => profiles.get(p.id) ?? p);
    const outbox = toPlannedSends(journeys.sends);
    return {
      ...write,
      profiles: updated,
      journeys,
      ...(outbox.length > 0 || write.outbox ? { outbox: [...(write.outbox ?? []), ...outbox] } : {}),
    };
  }
}
