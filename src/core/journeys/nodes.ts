import { z } from 'zod';
import { conditionSchema, propertyFilterSchema } from '../segments/definition.js';
import { journeyChannelSchema } from './channels.js';
import { durationSchema, offsetSchema, timeOfDaySchema, weekdaySchema } from './durations.js';

/** Node ids and branch keys: short, URL- and JSON-path-safe. */
export const nodeIdSchema = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9][\w-]*$/, 'letters, digits, _ and -');
const branchKey = nodeIdSchema;
const filters = z.array(propertyFilterSchema).max(20).readonly();

/** How long a delay node holds the run. */
export const delaySpecSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('duration'), duration: durationSchema }).readonly(),
  /** Until the next time of day in the recipient's time zone, on one of the allowed weekdays. */
  z
    .object({
      kind: z.literal('time_of_day'),
      at: timeOfDaySchema,
      weekdays: z.array(weekdaySchema).min(1).max(7).readonly().optional(),
    })
    .readonly(),
  /**
   * Until a date read from a trait or from the trigger event's properties, shifted by an offset and
   * optionally set to a local time of day. A missing date or one already past lets the run go on at once.
   */
  z
    .object({
      kind: z.literal('date'),
      source: z.enum(['trait', 'trigger']),
      path: z.string().min(1).max(200),
      offset: offsetSchema.optional(),
      at: timeOfDaySchema.optional(),
    })
    .readonly(),
]);
export type DelaySpec = z.infer<typeof delaySpecSchema>;

/** A test on the person and the run: a segment condition, trigger-event filters and run-context filters, all of which must hold. */
const testSchema = z
  .object({
    condition: conditionSchema.optional(),
    trigger: filters.optional(),
    context: filters.optional(),
  })
  .readonly();
export type NodeTest = z.infer<typeof testSchema>;

const base = { id: nodeIdSchema, name: z.string().max(200).optional() };

/** One step of a journey. Each kind's branches are listed by `branchesOf`. */
export const journeyNodeSchema = z.discriminatedUnion('type', [
  /** Where runs start; exactly one per journey. */
  z.object({ ...base, type: z.literal('entry') }).readonly(),
  z.object({ ...base, type: z.literal('delay'), delay: delaySpecSchema }).readonly(),
  /** Waits for an event (optionally of the same run key); branches `event` and `timeout`. */
  z
    .object({
      ...base,
      type: z.literal('wait_for_event'),
      event: z.string().min(1).max(200),
      where: filters.optional(),
      matchRunKey: z.boolean().default(false),
      timeout: durationSchema,
    })
    .readonly(),
  /** Branches `yes` and `no`. */
  z.object({ ...base, type: z.literal('condition'), test: testSchema }).readonly(),
  /** Ranked audiences, first match wins; one branch per audience key plus `else`. */
  z
    .object({
      ...base,
      type: z.literal('audience_split'),
      audiences: z
        .array(z.object({ key: branchKey, test: testSchema }).readonly())
        .min(1)
        .max(20)
        .readonly(),
    })
    .readonly(),
  /** A/B/n by weight, plus an optional holdout (branch `holdout`); the assignment is stable and recorded. */
  z
    .object({
      ...base,
      type: z.literal('random_split'),
      variants: z
        .array(z.object({ key: branchKey, weight: z.number().int().min(1).max(10_000) }).readonly())
        .min(1)
        .max(20)
        .readonly(),
      holdout: z.number().int().min(0).max(10_000).default(0),
    })
    .readonly(),
  z
    .object({
      ...base,
      type: z.literal('send'),
      template: z.string().min(1).max(200),
      channel: z.union([
        journeyChannelSchema,
        z.literal('best'),
        z.array(journeyChannelSchema).min(1).max(7).readonly(),
      ]),
      category: z.enum(['marketing', 'transactional']).default('marketing'),
      /** When a frequency cap blocks the send: wait until it frees (up to `maxCapWait`, then skip) or skip. */
      onCap: z.enum(['wait', 'skip']).default('wait'),
      maxCapWait: durationSchema.default({ amount: 3, unit: 'days' }),
    })
    .readonly(),
  z
    .object({
      ...base,
      type: z.literal('update_profile'),
      set: z.record(z.string().min(1).max(200), z.unknown()).default({}),
      increment: z.record(z.string().min(1).max(200), z.number().finite()).default({}),
    })
    .readonly(),
  /** Calls a URL; with `responseKey`, waits (up to `timeout`) and stores the JSON response in the run context. */
  z
    .object({
      ...base,
      type: z.literal('webhook'),
      method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).default('POST'),
      url: z.url({ protocol: /^https?$/ }),
      headers: z.record(z.string().min(1).max(200), z.string().max(4000)).default({}),
      body: z.unknown().optional(),
      responseKey: nodeIdSchema.optional(),
      timeout: durationSchema.default({ amount: 30, unit: 'minutes' }),
    })
    .readonly(),
  /** Starts a run of another journey with this run's context, and ends this run. */
  z.object({ ...base, type: z.literal('go_to_journey'), journeyId: z.string().min(1).max(100) }).readonly(),
  z.object({ ...base, type: z.literal('exit') }).readonly(),
]);
export type JourneyNode = z.infer<typeof journeyNodeSchema>;
export type NodeType = JourneyNode['type'];
export type NodeOf<T extends NodeType> = Extract<JourneyNode, { type: T }>;

/**
 * The branch keys a node's outgoing edges must cover, one edge each.
 * @example branchesOf({ id: 'w', type: 'wait_for_event', ... }) // ['event', 'timeout']
 */
export function branchesOf(node: JourneyNode): readonly string[] {
  switch (node.type) {
    case 'entry':
    case 'delay':
    case 'send':
    case 'update_profile':
    case 'webhook':
      return ['next'];
    case 'wait_for_event':
      return ['event', 'timeout'];
    case 'condition':
      return ['yes', 'no'];
    case 'audience_split':
      return [...node.audiences.map((a) => a.key), 'else'];
    case 'random_split':
      return [...node.variants.map((v) => v.key), ...(node.holdout > 0 ? ['holdout'] : [])];
    case 'go_to_journey':
    case 'exit':
      return [];
  }
}

/** Whether a node holds the run until time passes or an event arrives (what makes a cycle safe). */
export const isWaitingNode = (node: JourneyNode): boolean =>
  node.type === 'delay' || node.type === 'wait_for_event';
