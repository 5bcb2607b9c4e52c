import { asEpochMs, MS_PER_DAY, type EpochMs } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import { asEpochDay } from '../stats/civil-date.js';
import { readPath, toDateMs } from '../segments/values.js';
import { durationMs, minutesOfDay, WEEKDAYS } from './durations.js';
import type { DelaySpec } from './nodes.js';
import { atLocalMinute, localDayOf } from './time-zone.js';

/** What a delay may read: the clock, the person, the trigger event and the recipient's zone. */
export interface DelayContext {
  readonly now: EpochMs;
  readonly profile: Profile;
  readonly triggerProperties: unknown;
  readonly timeZone: string;
}

/** The next instant at or after `now` that is `minute` local time on an allowed weekday. */
function nextLocalTime(ctx: DelayContext, minute: number, weekdays: readonly string[] | undefined): EpochMs {
  const today = localDayOf(ctx.now, ctx.timeZone);
  for (let k = 0; k <= 7; k++) {
    const day = asEpochDay(today + k);
    const weekday = WEEKDAYS[(((day + 4) % 7) + 7) % 7]!;
    if (weekdays && !weekdays.includes(weekday)) continue;
    const at = atLocalMinute(day, minute, ctx.timeZone);
    if (at >= ctx.now) return at;
  }
  return ctx.now; // unreachable: some allowed weekday falls within the next 8 days
}

/** The instant of a date read from a trait or the trigger, shifted and set to a local time. */
function dateFrom(spec: Extract<DelaySpec, { kind: 'date' }>, ctx: DelayContext): EpochMs | undefined {
  const value = readPath(spec.source === 'trait' ? ctx.profile.traits : ctx.triggerProperties, spec.path);
  const ms = toDateMs(value);
  if (ms === undefined) return undefined;
  // A date without a time (`2025-06-01`) is a calendar day in the recipient's zone, not UTC midnight.
  const isDateOnly = typeof value === 'string' && value.length === 10;
  const base = isDateOnly ? atLocalMinute(asEpochDay(Math.floor(ms / MS_PER_DAY)), 0, ctx.timeZone) : ms;
  const shifted = asEpochMs(base + (spec.offset ? durationMs(spec.offset) : 0));
  if (spec.at === undefined) return shifted;
  return atLocalMinute(localDayOf(shifted, ctx.timeZone), minutesOfDay(spec.at), ctx.timeZone);
}

/**
 * When a delay node lets the run go on. An instant at or before `now` (a date already past, or a
 * missing one) means at once.
 * @example computeDelayUntil({ kind: 'duration', duration: { amount: 1, unit: 'hours' } }, ctx) // now + 1 h
 */
export function computeDelayUntil(spec: DelaySpec, ctx: DelayContext): EpochMs {
  switch (spec.kind) {
    case 'duration':
      return asEpochMs(ctx.now + durationMs(spec.duration));
    case 'time_of_day':
      return nextLocalTime(ctx, minutesOfDay(spec.at), spec.weekdays);
    case 'date':
      return dateFrom(spec, ctx) ?? ctx.now;
  }
}
