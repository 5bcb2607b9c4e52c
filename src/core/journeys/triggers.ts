import { z } from 'zod';
import { propertyFilterSchema } from '../segments/definition.js';
import { durationSchema, timeOfDaySchema } from './durations.js';

const eventName = z.string().min(1).max(200);
const segmentId = z.string().min(1).max(200);
const filters = z.array(propertyFilterSchema).max(20).readonly();

/** A local date-time without offset, `2025-03-01T09:00`: read in each recipient's time zone. */
const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'a local date-time YYYY-MM-DDTHH:MM');

/**
 * A cron-like expression: five fields (minute hour day-of-month month day-of-week) of numbers, `*`,
 * lists, ranges and steps, as in POSIX crontab (day-of-week 0–6, Sunday = 0).
 */
const cronField = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const cronExpression = z
  .string()
  .max(200)
  .refine((s) => {
    const fields = s.trim().split(/\s+/);
    return fields.length === 5 && fields.every((f) => cronField.test(f));
  }, 'five cron fields: minute hour day-of-month month day-of-week');

/** When a scheduled broadcast goes out. */
export const scheduleSchema = z.discriminatedUnion('kind', [
  /** Once, at an instant (with offset) or, with `recipientLocalTime`, at a local date-time. */
  z.object({ kind: z.literal('once'), at: z.iso.datetime({ offset: true }).or(localDateTime) }).readonly(),
  z.object({ kind: z.literal('cron'), expression: cronExpression }).readonly(),
  z
    .object({ kind: z.literal('interval'), every: durationSchema, startAt: z.iso.datetime({ offset: true }) })
    .readonly(),
]);
export type Schedule = z.infer<typeof scheduleSchema>;

/** What starts a run of a journey. */
export const triggerSchema = z.discriminatedUnion('type', [
  /** A tracked event, by name and property filters. */
  z.object({ type: z.literal('event'), event: eventName, where: filters.optional() }).readonly(),
  /** A change of segment membership. */
  z.object({ type: z.literal('segment'), segmentId, on: z.enum(['entered', 'exited']) }).readonly(),
  /**
   * A broadcast to the members of a segment. With `recipientLocalTime`, the schedule's wall-clock times
   * are read in each recipient's time zone (a 09:00 send reaches Istanbul before New York).
   */
  z
    .object({
      type: z.literal('schedule'),
      segmentId,
      schedule: scheduleSchema,
      recipientLocalTime: z.boolean().default(false),
    })
    .readonly(),
  /** `POST /api/journeys/:id/runs` with an idempotency key and a context payload. */
  z.object({ type: z.literal('api') }).readonly(),
  /** The yearly anniversary of a date trait (birthday, signup), at a local time, optionally days before. */
  z
    .object({
      type: z.literal('date_trait'),
      trait: z.string().min(1).max(200),
      at: timeOfDaySchema,
      daysBefore: z.number().int().min(0).max(60).default(0),
    })
    .readonly(),
]);
export type Trigger = z.infer<typeof triggerSchema>;
