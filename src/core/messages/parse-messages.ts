import { err, ok, type Result } from '../result.js';
import {
  batchSchema,
  isPlainObject,
  LIMITS,
  segmentMessageSchema,
  type SegmentMessage,
  type SegmentMessageType,
} from './segment-schema.js';
import { isPlainValidBatch, isPlainValidMessage, type PlainBatchEnvelope } from './fast-check.js';
import { issuesFromZod, type FieldIssue } from './validation-error.js';

/** What a batch request carries once every message in it is valid. */
export interface ParsedBatch {
  readonly messages: readonly SegmentMessage[];
  /** The messages as sent (a batch's), for a size check after normalising. */
  readonly items?: readonly unknown[];
  readonly writeKey?: string | undefined;
  readonly sentAt?: string | undefined;
  readonly context?: Record<string, unknown> | undefined;
  readonly integrations?: Record<string, unknown> | undefined;
}

/** Segment requires an identity on every call but alias (which has previousId + userId, checked by its schema). */
function identityIssues(message: SegmentMessage, path: string): FieldIssue[] {
  if (message.type === 'alias') return [];
  if (message.userId != null || message.anonymousId != null) return [];
  return [
    {
      path: `${path}.userId`,
      rule: 'identity_required',
      message: 'userId or anonymousId is required',
    },
  ];
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The issue of a message larger than 32 KB as sent (its JSON, in UTF-8), if it is. Exact, and costs
 * a serialisation: the batch route calls it only for messages whose normalised JSON could be that
 * large (see `mayExceedMessageLimit`).
 */
export function sizeIssue(raw: unknown, path: string): FieldIssue | undefined {
  // UTF-16 length is a lower bound of the UTF-8 size; measure exactly only when it could matter.
  const json = JSON.stringify(raw);
  if (json.length * 3 <= LIMITS.messageBytes) return undefined;
  const bytes = utf8Length(json);
  if (bytes <= LIMITS.messageBytes) return undefined;
  return {
    path,
    rule: `max_bytes:${LIMITS.messageBytes}`,
    message: `message is ${bytes} bytes; the limit is 32 KB`,
  };
}

/**
 * Whether a message whose normalised JSON is `json` could have been over the message limit as sent.
 * Normalising adds fields and drops at most two null ids and a timestamp's spelling (well under 256
 * characters), and a UTF-16 character is at most 3 bytes of UTF-8: below this bound, no exact check
 * is needed.
 */
export const mayExceedMessageLimit = (json: string): boolean => (json.length + 256) * 3 > LIMITS.messageBytes;

/**
 * Validates one message. `impliedType` is the endpoint's type (`/v1/track` implies `track`); a
 * message whose own `type` disagrees is rejected.
 */
export function parseMessage(
  raw: unknown,
  options: {
    readonly impliedType?: SegmentMessageType;
    readonly path?: string;
    /** Size of the whole request body: when it is within the message limit, no message can exceed it. */
    readonly bodyBytes?: number | undefined;
    /** The caller checks the size itself, after normalising (see `mayExceedMessageLimit`). */
    readonly sizeCheckedLater?: boolean;
  } = {},
): Result<SegmentMessage, FieldIssue[]> {
  const path = options.path ?? '$';
  if (!isPlainObject(raw))
    return err([{ path, rule: 'type:object', message: 'a message must be a JSON object' }]);
  const small = options.bodyBytes !== undefined && options.bodyBytes <= LIMITS.messageBytes;
  const tooBig = small || options.sizeCheckedLater ? undefined : sizeIssue(raw, path);
  if (tooBig) return err([tooBig]);
  let candidate = raw;
  if (options.impliedType !== undefined) {
    if (raw.type !== undefined && raw.type !== options.impliedType) {
      return err([
        {
          path: `${path}.type`,
          rule: `enum`,
          message: `type must be "${options.impliedType}" on this endpoint`,
        },
      ]);
    }
    candidate = raw.type === undefined ? { ...raw, type: options.impliedType } : raw;
  }
  let message: SegmentMessage;
  if (isPlainValidMessage(candidate)) message = candidate;
  else {
    const parsed = segmentMessageSchema.safeParse(candidate);
    if (!parsed.success) return err(issuesFromZod(parsed.error, path, candidate));
    message = parsed.data;
  }
  const missing = identityIssues(message, path);
  return missing.length > 0 ? err(missing) : ok(message);
}

/**
 * Validates a whole batch. All or nothing: one bad message rejects the request, and every problem
 * is reported with its path (`$.batch[3].userId`), so the sender can fix them all at once. With
 * `sizeCheckedLater`, the messages' sizes are left to the caller (`items` holds them as sent).
 */
export function parseBatch(
  raw: unknown,
  bodyBytes?: number,
  options: { readonly sizeCheckedLater?: boolean } = {},
): Result<ParsedBatch, FieldIssue[]> {
  if (!isPlainObject(raw))
    return err([{ path: '$', rule: 'type:object', message: 'the body must be a JSON object' }]);
  let envelope: PlainBatchEnvelope;
  if (isPlainValidBatch(raw)) envelope = raw;
  else {
    const parsed = batchSchema.safeParse(raw);
    if (!parsed.success) return err(issuesFromZod(parsed.error, '$', raw));
    envelope = parsed.data;
  }
  const issues: FieldIssue[] = [];
  const messages: SegmentMessage[] = [];
  envelope.batch.forEach((item, i) => {
    const result = parseMessage(item, {
      path: `$.batch[${i}]`,
      bodyBytes,
      sizeCheckedLater: options.sizeCheckedLater ?? false,
    });
    if (result.ok) messages.push(result.value);
    else issues.push(...result.error);
  });
  if (issues.length > 0) return err(issues.slice(0, 100));
  return ok({
    messages,
    items: envelope.batch,
    writeKey: envelope.writeKey,
    sentAt: envelope.sentAt,
    context: envelope.context,
    integrations: envelope.integrations,
  });
}
