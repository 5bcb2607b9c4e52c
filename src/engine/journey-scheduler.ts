import type { EpochMs } from '../core/brand.js';
import type { ActiveJourneys } from '../core/journeys/active-journeys.js';
import type { Journey } from '../core/journeys/definition.js';
import type {
  FiredProfileTimer,
  ProfileTimerWrite,
  ScheduleAdvance,
  ScheduleState,
} from '../core/journeys/journey-write.js';
import {
  dateTriggerOf,
  isDateTimerCurrent,
  nextOccurrence,
  planFanOut,
  scheduleOf,
  startOf,
  type ScheduledStart,
} from '../core/journeys/scheduled-starts.js';
import type { Profile } from '../core/profiles/profile.js';
import type { StoredSchedule } from '../store/journey-store.js';
import type { Store } from '../store/store.js';

/** What a scheduled step commits besides the runs it starts. */
export interface ScheduledWrite {
  readonly starts: readonly ScheduledStart[];
  readonly profileTimers?: readonly ProfileTimerWrite[];
  readonly firedProfileTimers?: readonly FiredProfileTimer[];
  readonly schedule?: ScheduleAdvance;
}

export interface JourneySchedulerOptions {
  readonly store: Store;
  /** Steps these people with the starts and commits it all in one transaction (the runner's). */
  readonly commit: (profiles: readonly Profile[], now: EpochMs, write: ScheduledWrite) => Promise<void>;
  /** Members per fan-out transaction. Default 500. */
  readonly chunk?: number;
}

const hasScheduledTrigger = (j: Journey): boolean => !!scheduleOf(j) || !!dateTriggerOf(j);
const stateOf = (row: StoredSchedule): ScheduleState => ({
  nextAt: row.nextAt,
  fanningAt: row.fanningAt,
  cursor: row.cursor,
});
/** `fanningAt` of a date trigger's first pass over every profile (setting each one's timer). */
const BACKFILL = 0 as EpochMs;

/**
 * Schedule and date triggers, durably: one row per journey holds its next broadcast and the fan-out in
 * progress (occurrence and cursor), moved in the same transaction as the chunk of runs it starts, so
 * a crash mid-fan-out resumes at the cursor; run ids derive from (journey, occurrence, person), so a
 * replayed chunk starts nobody twice. Local-time broadcasts and date triggers set per-person timers,
 * which start the run when they fire.
 * @example const scheduler = new JourneyScheduler({ store, commit }); await scheduler.pass(journeys, now);
 */
export class JourneyScheduler {
  private readonly synced = new Set<string>();

  constructor(private readonly options: JourneySchedulerOptions) {}

  /** One pass: record new versions' schedules, fire due per-person timers, fan out one chunk. */
  async pass(journeys: ActiveJourneys, now: EpochMs): Promise<number> {
    await this.sync(journeys, now);
    if (!journeys.latest.some(hasScheduledTrigger)) return 0;
    return (await this.fireProfileTimers(journeys, now)) + (await this.fanOut(journeys, now));
  }

  private async sync(journeys: ActiveJourneys, now: EpochMs): Promise<void> {
    const pending = journeys.latest.filter((j) => !this.synced.has(`${j.id}@${j.version}`));
    if (pending.length === 0) return;
    const rows = new Map((await this.options.store.journeySchedules()).map((r) => [r.journeyId, r]));
    for (const j of pending) {
      const row = rows.get(j.id);
      // A version without a scheduled trigger only clears the row an earlier version left.
      if ((row || hasScheduledTrigger(j)) && (!row || row.version < j.version)) {
        const state: ScheduleState = scheduleOf(j)
          ? {
              nextAt: nextOccurrence(j, now) ?? null,
              fanningAt: row?.fanningAt ?? null,
              cursor: row?.cursor ?? '',
            }
          : dateTriggerOf(j)
            ? { nextAt: null, fanningAt: BACKFILL, cursor: '' }
            : { nextAt: null, fanningAt: null, cursor: '' };
        await this.options.store.syncJourneySchedule(j.id, j.version, state);
      }
      this.synced.add(`${j.id}@${j.version}`);
    }
  }

  private async fireProfileTimers(journeys: ActiveJourneys, now: EpochMs): Promise<number> {
    const { store } = this.options;
    const due = await store.dueProfileTimers(now, 1000);
    if (due.length === 0) return 0;
    const profiles = await store.loadProfiles(new Set(due.map((d) => d.profileId)));
    const starts: ScheduledStart[] = [];
    for (const t of due) {
      const journey = journeys.latest.find((j) => j.id === t.journeyId);
      const profile = profiles.get(t.profileId);
      if (!journey || !profile) continue;
      if (t.slot !== 'date') starts.push(startOf(journey.id, Number(t.slot), t.profileId));
      // A date timer set before the trait changed starts nothing; the batch sets the right one.
      else if (isDateTimerCurrent(journey, profile, t.dueAt))
        starts.push(startOf(journey.id, t.dueAt, t.profileId));
    }
    await this.options.commit([...profiles.values()], now, { starts, firedProfileTimers: due });
    return due.length;
  }

  /** Fans out one chunk of the first broadcast due (or date-trigger backfill); returns people reached. */
  private async fanOut(journeys: ActiveJourneys, now: EpochMs): Promise<number> {
    const rows = await this.options.store.journeySchedules();
    const row = rows.find((r) => r.fanningAt !== null || (r.nextAt !== null && r.nextAt <= now));
    const journey = row && journeys.latest.find((j) => j.id === row.journeyId && hasScheduledTrigger(j));
    if (!row || !journey) return 0;
    const occurrence = (row.fanningAt ?? row.nextAt)!;
    const page = await this.membersPage(journey, row);
    const next: ScheduleState = page.nextCursor
      ? { nextAt: row.nextAt, fanningAt: occurrence, cursor: page.nextCursor }
      : { nextAt: nextOccurrence(journey, now) ?? null, fanningAt: null, cursor: '' };
    const schedule = { journeyId: row.journeyId, expected: stateOf(row), next };
    const plan =
      occurrence === BACKFILL ? { starts: [], timers: [] } : planFanOut(journey, occurrence, page.profiles);
    await this.options.commit(page.profiles, now, {
      starts: plan.starts,
      profileTimers: plan.timers,
      schedule,
    });
    return Math.max(1, page.profiles.length);
  }

  /** The next members of the broadcast's segment (or, for a date trigger, of everyone) after the cursor. */
  private async membersPage(
    journey: Journey,
    row: StoredSchedule,
  ): Promise<{ profiles: Profile[]; nextCursor?: string }> {
    const { store } = this.options;
    const limit = this.options.chunk ?? 500;
    const cursor = row.cursor === '' ? {} : { cursor: row.cursor };
    const trigger = scheduleOf(journey);
    if (!trigger) {
      const page = await store.searchProfiles({ limit, ...cursor });
      return { profiles: [...page.items], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
    }
    const page = await store.listMembers(trigger.segmentId, { limit, ...cursor });
    const loaded = await store.loadProfiles(page.items);
    return { profiles: [...loaded.values()], ...(page.nextCursor ? { nextCursor: page.nextCursor } : {}) };
  }
}
