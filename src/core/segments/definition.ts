import { z } from 'zod';

/**
 * The segment condition language, version 1. A definition is JSON (so it lives in git and in the API),
 * validated by these schemas, and evaluated two ways that must agree: in memory per profile, in real
 * time (`evaluate.ts`), and over the whole population in SQL (`compile-sql.ts`).
 */

export const SEGMENT_LANGUAGE_VERSION = 1;

const scalar = z.union([z.string().max(1000), z.number().finite(), z.boolean()]);
export type Scalar = z.infer<typeof scalar>;

/** A dotted path into traits or event properties: `address.city`, `products.0.category` is not supported. */
const path = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/, 'a dotted path of names (letters, digits, _, $, -)');

/** Comparisons on one value. Numbers compare with numbers and strings with strings; a type mismatch is false. */
export const valueOpSchema = z.discriminatedUnion('op', [
  z.object({ op: z.enum(['equals', 'not_equals']), value: scalar }),
  z.object({ op: z.enum(['contains', 'starts_with']), value: z.string().min(1).max(1000) }),
  z.object({ op: z.enum(['exists', 'not_exists']) }),
  z.object({ op: z.enum(['gt', 'gte', 'lt', 'lte']), value: z.number().finite() }),
  z.object({ op: z.enum(['in', 'not_in']), values: z.array(scalar).min(1).max(1000) }),
  /** Dates (ISO strings or epoch ms): before/after a fixed date. */
  z.object({ op: z.enum(['before', 'after']), value: z.iso.datetime({ offset: true }).or(z.iso.date()) }),
  /** Dates: within the last / next N days of now. */
  z.object({ op: z.enum(['within_last_days', 'within_next_days']), days: z.number().int().min(1).max(3650) }),
  /** Dates such as birthdays: the yearly anniversary (month and day, UTC) falls within the next N days (0 = today). */
  z.object({ op: z.literal('anniversary_within_days'), days: z.number().int().min(0).max(366) }),
]);
export type ValueOp = z.infer<typeof valueOpSchema>;

/**
 * Property filters use the comparisons that do not depend on the time of evaluation, so that an event
 * matches or not once and for all (the incremental state can then be kept per event).
 */
export const propertyFilterSchema = z.intersection(
  z.object({ property: path }),
  valueOpSchema.refine(
    (op) => !['within_last_days', 'within_next_days', 'anniversary_within_days'].includes(op.op),
    'relative date comparisons are not allowed on event properties; use the event window instead',
  ),
);
export type PropertyFilter = z.infer<typeof propertyFilterSchema>;

const windowSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ever') }),
  z.object({
    kind: z.literal('last'),
    amount: z.number().int().min(1).max(100_000),
    unit: z.enum(['hours', 'days']),
  }),
  z.object({
    kind: z.literal('between'),
    from: z.iso.datetime({ offset: true }).or(z.iso.date()),
    to: z.iso.datetime({ offset: true }).or(z.iso.date()),
  }),
]);
export type EventWindow = z.infer<typeof windowSchema>;

const comparison = z.object({ op: z.enum(['gte', 'lte', 'eq', 'gt', 'lt']), value: z.number().finite() });
export type Comparison = z.infer<typeof comparison>;

/** What to measure over the matching events: how many, or a sum/average of a numeric property. */
const measureSchema = z.discriminatedUnion('of', [
  z.object({ of: z.literal('count') }),
  z.object({ of: z.enum(['sum', 'avg']), property: path }),
]);
export type Measure = z.infer<typeof measureSchema>;

export type Condition =
  | { readonly type: 'and'; readonly conditions: readonly Condition[] }
  | { readonly type: 'or'; readonly conditions: readonly Condition[] }
  | { readonly type: 'not'; readonly condition: Condition }
  | ({ readonly type: 'trait'; readonly trait: string } & ValueOp)
  | ({ readonly type: 'computed'; readonly trait: ComputedTraitName } & ValueOp)
  | {
      readonly type: 'event';
      readonly event: string;
      readonly where?: readonly PropertyFilter[];
      readonly window: EventWindow;
      readonly measure?: Measure;
      readonly compare?: Comparison;
    }
  | {
      readonly type: 'event_time';
      readonly event: string;
      readonly where?: readonly PropertyFilter[];
      readonly which: 'first' | 'last';
      readonly op: 'within_last_days' | 'not_within_last_days';
      readonly days: number;
    }
  | { readonly type: 'segment'; readonly segmentId: string; readonly member: boolean }
  | { readonly type: 'random_bucket'; readonly salt: string; readonly from: number; readonly to: number }
  | { readonly type: 'reachable'; readonly channel: 'email' | 'sms' | 'push'; readonly topic?: string };

/** Computed traits a condition can read (kept current on every profile; see `src/core/computed`). */
export const COMPUTED_TRAITS = [
  'ordersCount',
  'revenue',
  'averageOrderValue',
  'firstOrderAt',
  'lastOrderAt',
  /** Derived at evaluation time from `lastOrderAt` (whole days, rounded down); never stored. */
  'daysSinceLastOrder',
  'favoriteCategory',
  'lastChannel',
  'rfmRecency',
  'rfmFrequency',
  'rfmMonetary',
  'rfmGroup',
  'expectedPurchases',
  'pAlive',
  'expectedOrderValue',
  'predictedClv',
  'lastEngagedChannel',
  'lastEngagedAt',
] as const;
export type ComputedTraitName = (typeof COMPUTED_TRAITS)[number];

const eventName = z.string().min(1).max(200);

export const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ type: z.literal('and'), conditions: z.array(conditionSchema).min(1).max(100) }),
    z.object({ type: z.literal('or'), conditions: z.array(conditionSchema).min(1).max(100) }),
    z.object({ type: z.literal('not'), condition: conditionSchema }),
    z.intersection(z.object({ type: z.literal('trait'), trait: path }), valueOpSchema),
    z.intersection(z.object({ type: z.literal('computed'), trait: z.enum(COMPUTED_TRAITS) }), valueOpSchema),
    z.object({
      type: z.literal('event'),
      event: eventName,
      where: z.array(propertyFilterSchema).max(20).optional(),
      window: windowSchema,
      measure: measureSchema.optional(),
      compare: comparison.optional(),
    }),
    z.object({
      type: z.literal('event_time'),
      event: eventName,
      where: z.array(propertyFilterSchema).max(20).optional(),
      which: z.enum(['first', 'last']),
      op: z.enum(['within_last_days', 'not_within_last_days']),
      days: z.number().int().min(1).max(3650),
    }),
    z.object({ type: z.literal('segment'), segmentId: z.string().min(1).max(200), member: z.boolean() }),
    z.object({
      type: z.literal('random_bucket'),
      salt: z.string().max(200),
      from: z.number().int().min(0).max(100),
      to: z.number().int().min(0).max(100),
    }),
    z.object({
      type: z.literal('reachable'),
      channel: z.enum(['email', 'sms', 'push']),
      topic: z.string().min(1).max(200).optional(),
    }),
  ]),
);

/** A saved segment: versioned; the condition is its whole meaning. */
export const segmentDefinitionSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  condition: conditionSchema,
});
export type SegmentDefinition = z.infer<typeof segmentDefinitionSchema>;

/** The default measure and comparison of an event condition: performed at least once. */
export function eventTest(c: Extract<Condition, { type: 'event' }>): {
  measure: Measure;
  compare: Comparison;
} {
  return { measure: c.measure ?? { of: 'count' }, compare: c.compare ?? { op: 'gte', value: 1 } };
}
