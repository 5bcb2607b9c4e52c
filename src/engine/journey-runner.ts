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
import type { JourneyWrite } from '../core/journeys/journey-write.js';
import { foldMergedStates } from '../core/journeys/merged-states.js';
import type { ScheduledStart } from '../core/journeys/scheduled-starts.js';
import { JourneyConflictError } from '../store/journey-store.js';
import { JourneyScheduler, type ScheduledWrite } from './journey-scheduler.js';
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
  /** Segment members a broadcast fans out to per transaction. Default 500. */
  readonly scheduleChunk?: number;
}

type DueTimer = { readonly runId: string; readonly profileId: ProfileId; readonly token: number };

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
  private readonly scheduler: JourneyScheduler;

  constructor(private readonly options: JourneyRunnerOptions) {
    this.scheduler = new JourneyScheduler({
      store: options.store,
      commit: (profiles, now, write) => this.commitScheduled(profiles, now, write),
      ...(options.scheduleChunk !== undefined ? { chunk: options.scheduleChunk } : {}),
    });
  }

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

  /**
   * Fires the journey timers due now, oldest first, in one transaction, then does one pass of the
   * scheduler (broadcasts, per-person schedule and date timers); returns how much it did.
   */
  async fireTimers(now: EpochMs): Promise<number> {
    const { store } = this.options;
    const due = await store.dueJourneyTimers(now, this.options.timerBatch ?? 2000);
    if (due.length > 0) {
      const profiles = await store.loadProfiles(new Set(due.map((d) => d.profileId)));
      await this.commitStep([...profiles.values()], now, { timers: due });
    }
    return due.length + (await this.scheduler.pass(this.active, now));
  }

  /** Steps people with scheduled starts, and commits them with the schedule's own writes. */
  private commitScheduled(profiles: readonly Profile[], now: EpochMs, extra: ScheduledWrite): Promise<void> {
    return this.commitStep(profiles, now, { starts: extra.starts }, (w) => ({
      ...w,
      profileTimers: [...(extra.profileTimers ?? []), ...(w.profileTimers ?? [])],
      ...(extra.firedProfileTimers ? { firedProfileTimers: extra.firedProfileTimers } : {}),
      ...(extra.schedule ? { schedule: extra.schedule } : {}),
    }));
  }

  /** One transaction of timers or starts for loaded people; only those whose traits changed are written back. */
  private async commitStep(
    loaded: readonly Profile[],
    now: EpochMs,
    inputs: { timers?: readonly DueTimer[]; starts?: readonly ScheduledStart[] },
    amend: (w: JourneyWrite) => JourneyWrite = (w) => w,
  ): Promise<void> {
    const plan: BatchWrite = { merges: [], identities: new Map(), events: [], profiles: [...loaded] };
    const write = await this.step(plan, now, inputs.timers ?? [], inputs.starts);
    const before = new Map(loaded.map((p) => [p.id, p]));
    const changed = write.profiles.filter((p) => before.get(p.id) !== p);
    await this.options.store.commitBatch({
      ...write,
      profiles: changed,
      ...(write.journeys ? { journeys: amend(write.journeys) } : {}),
    });
  }

  /** The earliest pending journey timer. */
  nextTimer(): Promise<EpochMs | undefined> {
    return this.options.store.nextJourneyTimer();
  }

  private async step<W extends BatchPlan & BatchWrite>(
    write: W,
    now: EpochMs,
    timers: readonly DueTimer[],
    starts?: readonly ScheduledStart[],
  ): Promise<W> {
    const sendsSince = asEpochMs(now - longestCapWindowMs(this.active.policy));
    // Merged-away people too: their runs continue on the survivor, in this very batch.
    const states = foldMergedStates(
      await this.options.store.loadJourneyStates(
        [...write.profiles.map((p) => p.id), ...write.merges.map((m) => m.from)],
        { now, sendsSince },
      ),
      write.merges,
    );
    const { write: journeys, profiles } = applyJourneysToBatch(
      { profiles: write.profiles, events: write.events, timers, states, ...(starts ? { starts } : {}) },
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
