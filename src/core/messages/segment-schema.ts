import { z } from 'zod';

/**
 * Segment HTTP Tracking API message schemas (https://segment.com/docs/connections/spec/common/).
 * Objects are loose: fields the spec does not name are kept, as Segment keeps them.
 */

/** Limits from the Segment HTTP Tracking API. */
export const LIMITS = {
  messageBytes: 32 * 1024,
  batchBytes: 500 * 1024,
  batchMessages: 2500,
  messageIdLength: 100,
} as const;

/** Segment accepts numeric ids and treats them as strings. */
const id = z.union([z.string().min(1).max(1024), z.number().finite()]).transform((v) => String(v));
/** A JSON object: not null, not an array. */
export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
/**
 * `properties`, `traits`, `context`: any JSON object. A check rather than `z.record(z.string(),
 * z.unknown())`, which copies every key of every message for nothing (measured: a third of validation).
 */
const dict = z
  .custom<Record<string, unknown>>(isPlainObject, {
    message: 'expected an object',
    params: { rule: 'type:record' },
  })
  .meta({ type: 'object', additionalProperties: true, description: 'any JSON object' });
const isoTime = z.union([z.iso.datetime({ offset: true, local: true }), z.iso.date()]);

const common = {
  messageId: z.string().min(1).max(LIMITS.messageIdLength).optional(),
  userId: id.nullish(),
  anonymousId: id.nullish(),
  context: dict.optional(),
  integrations: dict.optional(),
  timestamp: isoTime.optional(),
  originalTimestamp: isoTime.optional(),
  sentAt: isoTime.optional(),
};

export const trackSchema = z.looseObject({
  ...common,
  type: z.literal('track'),
  event: z.string().min(1).max(1000),
  properties: dict.optional(),
});
export const identifySchema = z.looseObject({
  ...common,
  type: z.literal('identify'),
  traits: dict.optional(),
});
export const pageSchema = z.looseObject({
  ...common,
  type: z.literal('page'),
  name: z.string().max(1000).nullish(),
  category: z.string().max(1000).nullish(),
  properties: dict.optional(),
});
export const screenSchema = z.looseObject({
  ...common,
  type: z.literal('screen'),
  name: z.string().max(1000).nullish(),
  category: z.string().max(1000).nullish(),
  properties: dict.optional(),
});
export const groupSchema = z.looseObject({
  ...common,
  type: z.literal('group'),
  groupId: id,
  traits: dict.optional(),
});
export const aliasSchema = z.looseObject({
  ...common,
  type: z.literal('alias'),
  previousId: id,
  userId: id,
});

export const segmentMessageSchema = z.discriminatedUnion('type', [
  trackSchema,
  identifySchema,
  pageSchema,
  screenSchema,
  groupSchema,
  aliasSchema,
]);

/** A message as it arrives, validated. */
export type SegmentMessage = z.output<typeof segmentMessageSchema>;
export type SegmentMessageType = SegmentMessage['type'];
export const SEGMENT_MESSAGE_TYPES: readonly SegmentMessageType[] = [
  'track',
  'identify',
  'page',
  'screen',
  'group',
  'alias',
];

export const batchSchema = z.looseObject({
  batch: z.array(z.unknown()).max(LIMITS.batchMessages),
  writeKey: z.string().optional(),
  sentAt: isoTime.optional(),
  context: dict.optional(),
  integrations: dict.optional(),
});
