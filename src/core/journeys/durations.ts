import { z } from 'zod';
import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../brand.js';

const UNIT_MS = {
  minutes: MS_PER_MINUTE,
  hours: MS_PER_HOUR,
  days: MS_PER_DAY,
  weeks: 7 * MS_PER_DAY,
} as const;

/** A length of time in whole units: `{ amount: 1, unit: 'hours' }`. Days are 24 h, not calendar days. */
export const durationSchema = z
  .object({
    amount: z.number().int().min(0).max(100_000),
    unit: z.enum(['minutes', 'hours', 'days', 'weeks']),
  })
  .readonly();
export type Duration = z.infer<typeof durationSchema>;

/** A duration that may be negative, for offsets (`3 days before the birthday`). */
export const offsetSchema = z
  .object({
    amount: z.number().int().min(-100_000).max(100_000),
    unit: z.enum(['minutes', 'hours', 'days', 'weeks']),
  })
  .readonly();
export type Offset = z.infer<typeof offsetSchema>;

/**
 * The length of a duration or offset in milliseconds.
 * @example durationMs({ amount: 2, unit: 'hours' }) // 7_200_000
 */
export const durationMs = (d: Duration | Offset): number => d.amount * UNIT_MS[d.unit];

/** A wall-clock time `HH:MM` (24-hour). */
export const timeOfDaySchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day HH:MM (00:00–23:59)');

/** Minutes after midnight of a `HH:MM` time. @example minutesOfDay('08:30') // 510 */
export function minutesOfDay(time: string): number {
  const [h, m] = time.split(':');
  return Number(h) * 60 + Number(m);
}

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** A day of the week; the index in {@link WEEKDAYS} is the JavaScript weekday number (Sunday = 0). */
export type Weekday = (typeof WEEKDAYS)[number];
export const weekdaySchema = z.enum(WEEKDAYS);
