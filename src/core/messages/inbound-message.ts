import type { SegmentMessage, SegmentMessageType } from './segment-schema.js';

/**
 * A message after the edge has accepted it: ids and timestamps settled, ready for the inbox.
 * Timestamps stay ISO-8601 strings, as in the Segment spec; unknown fields are kept.
 */
export interface InboundMessage {
  readonly type: SegmentMessageType;
  readonly messageId: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly previousId?: string;
  readonly groupId?: string;
  readonly event?: string;
  readonly name?: string | null;
  readonly properties?: Record<string, unknown>;
  readonly traits?: Record<string, unknown>;
  readonly context?: Record<string, unknown>;
  readonly integrations?: Record<string, unknown>;
  /** When it happened, corrected for client clock skew. */
  readonly timestamp: string;
  readonly originalTimestamp?: string;
  readonly sentAt?: string;
  /** When the server accepted it. */
  readonly receivedAt: string;
  readonly [field: string]: unknown;
}

export interface NormalizeContext {
  readonly receivedAt: number;
  /** `receivedAt` as ISO-8601, when the caller has it already (one per request, not per message). */
  readonly receivedAtIso?: string;
  /** `sentAt` of the enclosing batch, when the message has none of its own. */
  readonly batchSentAt?: string | undefined;
  /** `context` and `integrations` of the enclosing batch, merged under each message's own. */
  readonly batchContext?: Record<string, unknown> | undefined;
  readonly batchIntegrations?: Record<string, unknown> | undefined;
  /** Makes a `messageId` for a message that came without one. */
  readonly newMessageId: () => string;
}

const toIso = (ms: number): string => new Date(ms).toISOString();
/** `Date#toISOString`'s own form: a client time already in it needs no parsing and formatting. */
const CANONICAL_ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * Settles a validated message: generates a missing `messageId`, sets `receivedAt`, and corrects the
 * client's clock skew as Segment does: `timestamp = receivedAt − (sentAt − originalTimestamp)`
 * (https://segment.com/docs/connections/spec/common/#timestamps). A client time without `sentAt`
 * is taken as it is; no client time at all means "now". Returns a new object; `message` is left as it is.
 * @example normalizeMessage(msg, { receivedAt: 1700000000000, newMessageId: () => 'm1' })
 */
export function normalizeMessage(message: SegmentMessage, ctx: NormalizeContext): InboundMessage {
  return settle({ ...message }, ctx, undefined);
}

/**
 * What `normalizeMessageInPlace` changed in a message, as (field, whether it was there, its value as
 * sent) triples: `restoreSent` puts the message back as it was sent. One array serves a whole
 * request; each call empties it first.
 */
export type SentFields = unknown[];

/**
 * `normalizeMessage` without the copy, for the edge, which owns the message it parsed and is the only
 * one holding it: settles `message` itself and returns it, recording in `undo` how to put it back as
 * sent (the size limit is the message's as sent; see `restoreSent`). This runs for every message on
 * the ingest path, and a copy of each cost about a tenth of the HTTP thread's work on it.
 * @example const undo: SentFields = []; const settled = normalizeMessageInPlace(msg, ctx, undo);
 */
export function normalizeMessageInPlace(
  message: SegmentMessage,
  ctx: NormalizeContext,
  undo: SentFields,
): InboundMessage {
  undo.length = 0;
  return settle(message, ctx, undo);
}

/** Puts a message `normalizeMessageInPlace` settled back as it was sent, from its `undo`. */
export function restoreSent(message: InboundMessage, undo: SentFields): SegmentMessage {
  const fields = message as Record<string, unknown>;
  for (let i = undo.length - 3; i >= 0; i -= 3) {
    const field = undo[i] as string;
    if (undo[i + 1] === true) fields[field] = undo[i + 2];
    else delete fields[field];
  }
  undo.length = 0;
  return message as unknown as SegmentMessage;
}

/** Sets (or, with `remove`, deletes) one field of `out`, noting in `undo` what it was. */
function put(
  out: Record<string, unknown>,
  undo: SentFields | undefined,
  field: string,
  value: unknown,
  remove = false,
): void {
  if (undo !== undefined) undo.push(field, Object.hasOwn(out, field), out[field]);
  if (remove) delete out[field];
  else out[field] = value;
}

/** Settles `out` (a copy of the message, or the message itself): every field is read before it is written. */
function settle(
  out: Record<string, unknown>,
  ctx: NormalizeContext,
  undo: SentFields | undefined,
): InboundMessage {
  const message = out as SegmentMessage;
  const sentAt = message.sentAt ?? ctx.batchSentAt;
  const clientTime = message.originalTimestamp ?? message.timestamp;
  let eventIso: string;
  if (clientTime === undefined) eventIso = ctx.receivedAtIso ?? toIso(ctx.receivedAt);
  else if (sentAt === undefined && CANONICAL_ISO.test(clientTime)) eventIso = clientTime;
  else {
    const clientMs = Date.parse(clientTime);
    const sentMs = sentAt === undefined ? Number.NaN : Date.parse(sentAt);
    eventIso = toIso(Number.isFinite(sentMs) ? ctx.receivedAt - (sentMs - clientMs) : clientMs);
  }
  if (message.messageId === undefined) put(out, undo, 'messageId', ctx.newMessageId());
  if (message.userId === null) put(out, undo, 'userId', undefined, true);
  if (message.anonymousId === null) put(out, undo, 'anonymousId', undefined, true);
  if (ctx.batchContext !== undefined) put(out, undo, 'context', { ...ctx.batchContext, ...message.context });
  if (ctx.batchIntegrations !== undefined)
    put(out, undo, 'integrations', { ...ctx.batchIntegrations, ...message.integrations });
  put(out, undo, 'timestamp', eventIso);
  if (clientTime !== undefined) put(out, undo, 'originalTimestamp', clientTime);
  if (sentAt !== undefined) put(out, undo, 'sentAt', sentAt);
  put(out, undo, 'receivedAt', ctx.receivedAtIso ?? toIso(ctx.receivedAt));
  return out as InboundMessage;
}

/** The channel a message came from, read from its `context` (library name, device type, page, user agent). */
export type SourceChannel = 'web' | 'ios' | 'android' | 'server';

export function channelOf(context: Record<string, unknown> | undefined): SourceChannel {
  if (context === undefined) return 'server';
  const device = context.device as { type?: unknown } | undefined;
  const os = context.os as { name?: unknown } | undefined;
  const library = context.library as { name?: unknown } | undefined;
  const hints = [device?.type, os?.name, library?.name]
    .filter((x): x is string => typeof x === 'string')
    .join(' ')
    .toLowerCase();
  if (hints.includes('ios') || hints.includes('iphone') || hints.includes('ipad')) return 'ios';
  if (hints.includes('android')) return 'android';
  if (context.page !== undefined || context.userAgent !== undefined || hints.includes('analytics.js'))
    return 'web';
  return 'server';
}
