import { asEpochMs, type EpochMs, type ProfileId } from '../brand.js';
import { timeZoneOf, type Profile } from '../profiles/profile.js';
import { hashString } from '../random.js';
import type { Journey } from './definition.js';
import { nextDateTriggerTime, nextScheduledTime } from './schedule.js';
import type { Trigger } from './triggers.js';

/**
 * Schedule and date-trait triggers, pure: when a broadcast next goes out, which runs a fan-out chunk
 * starts (or, in recipients' local time, which per-person timers it sets), and when a person's
 * birthday or anniversary next fires. The engine keeps the schedule rows and timers durable.
 */

/** The zone whose clocks show a wall-clock time first (UTC+14): a local-time broadcast fans out then. */
export const EARLIEST_ZONE = 'Etc/GMT-14';

type ScheduleTrigger = Extract<Trigger, { type: 'schedule' }>;
type DateTrigger = Extract<Trigger, { type: 'date_trait' }>;

/** A run a schedule or date trigger starts, with a run id stable per (journey, occurrence, person). */
export interface ScheduledStart {
  readonly profileId: ProfileId;
  readonly journeyId: string;
  readonly runId: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A per-person timer: a local-time broadcast's start (slot = occurrence) or a date trigger (slot `date`). */
export interface ProfileTimer {
  readonly journeyId: string;
  readonly profileId: ProfileId;
  readonly slot: string;
  readonly dueAt: EpochMs;
}

/**
 * The run id of a scheduled start: the same journey, occurrence and person always give the same id, so
 * a fan-out replayed after a crash starts nobody twice.
 * @example scheduledRunId('weekly', 1741168800000, 'p_1')
 */
export function scheduledRunId(journeyId: string, occurrence: number, profileId: string): string {
  const h = (s: string): string => hashString(s).toString(36).padStart(7, '0');
  const key = `${journeyId}\n${occurrence}\n${profileId}`;
  return `run_sch_${h(key)}${h(`${profileId}\n${key}`)}`;
}

/** The schedule trigger of a journey, if it has one. */
export const scheduleOf = (journey: Journey): ScheduleTrigger | undefined =>
  journey.trigger.type === 'schedule' ? journey.trigger : undefined;

/** The date-trait trigger of a journey, if it has one. */
export const dateTriggerOf = (journey: Journey): DateTrigger | undefined =>
  journey.trigger.type === 'date_trait' ? journey.trigger : undefined;

/** The person's time zone for this journey: their own, else the journey's default. */
export const zoneFor = (journey: Journey, profile: Profile): string =>
  timeZoneOf(profile) ?? journey.settings.defaultTimeZone;

/**
 * When a broadcast next fans out after `after`: in the journey's zone, or, in recipients' local time,
 * when the first zone on Earth reaches it (each person then gets a timer at their own local time).
 * Intervals are instants, so they never use local time.
 */
export function nextOccurrence(journey: Journey, after: EpochMs): EpochMs | undefined {
  const t = scheduleOf(journey);
  if (!t) return undefined;
  const local = t.recipientLocalTime && t.schedule.kind !== 'interval';
  return nextScheduledTime(t.schedule, after, local ? EARLIEST_ZONE : journey.settings.defaultTimeZone);
}

/**
 * What one fan-out chunk does for an occurrence: start each member's run now, or (local time) set a
 * timer at the member's own local time of that occurrence.
 * @example planFanOut(journey, occurrence, members) // { starts: [...], timers: [] }
 */
export function planFanOut(
  journey: Journey,
  occurrence: EpochMs,
  members: readonly Profile[],
): { starts: ScheduledStart[]; timers: ProfileTimer[] } {
  const t = scheduleOf(journey);
  if (!t) return { starts: [], timers: [] };
  const local = t.recipientLocalTime && t.schedule.kind !== 'interval';
  const starts: ScheduledStart[] = [];
  const timers: ProfileTimer[] = [];
  for (const profile of members) {
    if (!local) {
      starts.push(startOf(journey.id, occurrence, profile.id));
      continue;
    }
    // The occurrence is the earliest zone's instant; every other zone reaches the same wall clock later.
    const dueAt = nextScheduledTime(t.schedule, asEpochMs(occurrence - 1), zoneFor(journey, profile));
    if (dueAt !== undefined)
      timers.push({ journeyId: journey.id, profileId: profile.id, slot: String(occurrence), dueAt });
  }
  return { starts, timers };
}

/** The start of one person's run for an occurrence. */
export const startOf = (journeyId: string, occurrence: number, profileId: ProfileId): ScheduledStart => ({
  profileId,
  journeyId,
  runId: scheduledRunId(journeyId, occurrence, profileId),
  payload: { scheduledAt: new Date(occurrence).toISOString() },
});

/** When a person's date trigger next fires after `after` (undefined: the trait holds no date). */
export function dateTimerOf(journey: Journey, profile: Profile, after: EpochMs): EpochMs | undefined {
  const t = dateTriggerOf(journey);
  if (!t) return undefined;
  return nextDateTriggerTime(t, profile.traits, { after, timeZone: zoneFor(journey, profile) });
}

/**
 * Whether a date timer due at `dueAt` still matches the person's trait (it may have changed since the
 * timer was set): the next firing after just before `dueAt` is `dueAt` itself.
 */
export const isDateTimerCurrent = (journey: Journey, profile: Profile, dueAt: EpochMs): boolean =>
  dateTimerOf(journey, profile, asEpochMs(dueAt - 1)) === dueAt;
