import { z } from 'zod';
import { isPlainObject, LIMITS, type SegmentMessage } from './segment-schema.js';

/**
 * A hand-written check of the common case of `segmentMessageSchema` and `batchSchema`: a message (or
 * batch envelope) it accepts is one the zod schema accepts and returns unchanged (no id to turn from a
 * number into a string), so it can be used as it is. Anything else (numeric ids, a wrong type, a bad
 * time) goes on to zod, which accepts it or names the field and the rule. It must never accept what zod
 * refuses; `fast-check.test.ts` holds it to that over generated messages.
 *
 * Why: zod spent 6 of the 9.7 µs that validation and normalisation took per message of a 500-message
 * batch, on the HTTP thread that every ingest request waits for.
 */

// The very expressions zod's `z.iso.datetime({ offset: true, local: true })` and `z.iso.date()` test.
const DATETIME = z.core.regexes.datetime({ offset: true, local: true });
const DATE = z.core.regexes.date;

const optionalDict = (v: unknown): boolean => v === undefined || isPlainObject(v);
const optionalTime = (v: unknown): boolean =>
  v === undefined || (typeof v === 'string' && (DATETIME.test(v) || DATE.test(v)));
/** An id given as a string (a number is valid too, but zod turns it into a string). */
const stringId = (v: unknown): boolean => typeof v === 'string' && v.length >= 1 && v.length <= 1024;
const nullishStringId = (v: unknown): boolean => v === undefined || v === null || stringId(v);
const nullishName = (v: unknown): boolean =>
  v === undefined || v === null || (typeof v === 'string' && v.length <= 1000);

function commonFields(m: Record<string, unknown>): boolean {
  const id = m.messageId;
  return (
    (id === undefined || (typeof id === 'string' && id.length >= 1 && id.length <= LIMITS.messageIdLength)) &&
    nullishStringId(m.userId) &&
    nullishStringId(m.anonymousId) &&
    optionalDict(m.context) &&
    optionalDict(m.integrations) &&
    optionalTime(m.timestamp) &&
    optionalTime(m.originalTimestamp) &&
    optionalTime(m.sentAt)
  );
}

/** Whether `m` is a Segment message that `segmentMessageSchema` accepts and returns as it is. */
export function isPlainValidMessage(m: unknown): m is SegmentMessage {
  if (!isPlainObject(m) || !commonFields(m)) return false;
  switch (m.type) {
    case 'track':
      return (
        typeof m.event === 'string' &&
        m.event.length >= 1 &&
        m.event.length <= 1000 &&
        optionalDict(m.properties)
      );
    case 'identify':
      return optionalDict(m.traits);
    case 'page':
    case 'screen':
      return nullishName(m.name) && nullishName(m.category) && optionalDict(m.properties);
    case 'group':
      return stringId(m.groupId) && optionalDict(m.traits);
    case 'alias':
      return stringId(m.previousId) && stringId(m.userId);
    default:
      return false;
  }
}

/** A batch envelope as `batchSchema` accepts it and returns it unchanged. */
export interface PlainBatchEnvelope {
  readonly batch: unknown[];
  readonly writeKey?: string;
  readonly sentAt?: string;
  readonly context?: Record<string, unknown>;
  readonly integrations?: Record<string, unknown>;
  readonly [field: string]: unknown;
}

/** Whether `b` is a batch envelope that `batchSchema` accepts and returns as it is. */
export function isPlainValidBatch(b: unknown): b is PlainBatchEnvelope {
  return (
    isPlainObject(b) &&
    Array.isArray(b.batch) &&
    b.batch.length <= LIMITS.batchMessages &&
    (b.writeKey === undefined || typeof b.writeKey === 'string') &&
    optionalTime(b.sentAt) &&
    optionalDict(b.context) &&
    optionalDict(b.integrations)
  );
}
