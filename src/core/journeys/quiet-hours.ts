import { z } from 'zod';
import type { EpochMs } from '../brand.js';
import { asEpochDay } from '../stats/civil-date.js';
import { journeyChannelSchema, type JourneyChannel } from './channels.js';
import { minutesOfDay, timeOfDaySchema } from './durations.js';
import { atLocalMinute, localDayOf, localMinuteOf } from './time-zone.js';

/** A daily quiet window in local time; `start` after `end` spans midnight; `start` equal to `end` is empty. */
export const quietWindowSchema = z.object({ start: timeOfDaySchema, end: timeOfDaySchema }).readonly();
export type QuietWindow = z.infer<typeof quietWindowSchema>;

/** Workspace quiet hours: a default window and per-channel overrides (`null`: that channel has none). */
export const quietHoursSchema = z
  .object({
    default: quietWindowSchema.default({ start: '21:00', end: '08:00' }),
    channels: z.partialRecord(journeyChannelSchema, quietWindowSchema.nullable()).default({}),
  })
  .readonly();
export type QuietHours = z.infer<typeof quietHoursSchema>;

/** The default: 21:00–08:00 on every channel. */
export const DEFAULT_QUIET_HOURS: QuietHours = { default: { start: '21:00', end: '08:00' }, channels: {} };

/** The window that applies to a channel, if any. */
export function quietWindowFor(hours: QuietHours, channel: JourneyChannel): QuietWindow | undefined {
  const override = hours.channels[channel];
  if (override === null) return undefined;
  return override ?? hours.default;
}

/**
 * The first instant at or after `now` outside the quiet window, in the recipient's time zone: `now`
 * itself when it is not quiet, else the local end of the window (the next morning when it spans midnight).
 * @example nextAllowedInstant(at('2025-01-01T22:00+03:00'), { start: '21:00', end: '08:00' }, 'Europe/Istanbul')
 * // 2025-01-02T08:00+03:00
 */
export function nextAllowedInstant(now: EpochMs, window: QuietWindow | undefined, timeZone: string): EpochMs {
  if (!window) return now;
  const start = minutesOfDay(window.start);
  const end = minutesOfDay(window.end);
  if (start === end) return now;
  const minute = localMinuteOf(now, timeZone);
  const today = localDayOf(now, timeZone);
  const spansMidnight = start > end;
  const inWindow = spansMidnight ? minute >= start || minute < end : minute >= start && minute < end;
  if (!inWindow) return now;
  const endDay = spansMidnight && minute >= start ? today + 1 : today;
  const until = atLocalMinute(asEpochDay(endDay), end, timeZone);
  // A DST jump can make the local end fall at or before now (rare); then now is already allowed.
  return until > now ? until : now;
}

/**
 * Whether an instant falls inside the quiet window for a recipient.
 * @example isQuietAt(at('2025-01-01T07:00Z'), { start: '21:00', end: '08:00' }, 'UTC') // true
 */
export const isQuietAt = (now: EpochMs, window: QuietWindow | undefined, timeZone: string): boolean =>
  nextAllowedInstant(now, window, timeZone) !== now;
