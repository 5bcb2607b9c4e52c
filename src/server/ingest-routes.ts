import type { FastifyInstance } from 'fastify';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { EpochMs } from '../core/brand.js';
import {
  normalizeMessageInPlace,
  restoreSent,
  type NormalizeContext,
  type SentFields,
} from '../core/messages/inbound-message.js';
import {
  mayExceedMessageLimit,
  parseBatch,
  parseMessage,
  sizeIssue,
  type ParsedBatch,
} from '../core/messages/parse-messages.js';
import type { FieldIssue } from '../core/messages/validation-error.js';
import {
  aliasSchema,
  batchSchema,
  groupSchema,
  identifySchema,
  LIMITS,
  pageSchema,
  screenSchema,
  trackSchema,
  type SegmentMessageType,
} from '../core/messages/segment-schema.js';
import { takeTokens, type RateLimit, type TokenBucket } from '../core/rate-limit.js';
import type { GroupCommitter } from '../engine/group-commit.js';
import { requireWriteKey } from './auth.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface IngestDeps {
  readonly committer: GroupCommitter;
  readonly writeKeys: readonly string[];
  readonly rateLimit: RateLimit;
  readonly clock: () => EpochMs;
}

const SINGLE: readonly [SegmentMessageType, z.ZodType][] = [
  ['track', trackSchema],
  ['identify', identifySchema],
  ['page', pageSchema],
  ['screen', screenSchema],
  ['group', groupSchema],
  ['alias', aliasSchema],
];

const successSchema = z.object({ success: z.literal(true) });
const SUCCESS = { success: true } as const;

/**
 * The Segment HTTP Tracking API (https://segment.com/docs/connections/sources/catalog/libraries/server/http-api/):
 * `/v1/{track,identify,page,screen,group,alias}`, `/v1/batch` and its synonym `/v1/import`. A request is
 * answered 200 only once its messages are durably in the inbox; a bad one is refused whole with 400.
 */
export function registerIngestRoutes(app: FastifyInstance, deps: IngestDeps): void {
  const buckets = new Map<string, TokenBucket>();

  const admit = (writeKey: string, count: number): void => {
    const now = deps.clock();
    const taken = takeTokens(buckets.get(writeKey), count, now, deps.rateLimit);
    buckets.set(writeKey, taken.bucket);
    if (!taken.ok) {
      const seconds = Math.max(1, Math.ceil(taken.retryAfterMs / 1000));
      throw new HttpError(
        'rate_limited',
        `rate limit of ${deps.rateLimit.perSecond} messages/s exceeded`,
        undefined,
        {
          'retry-after': String(seconds),
        },
      );
    }
  };

  const accept = (writeKey: string, batch: ParsedBatch): Promise<{ success: true }> => {
    const receivedAt = deps.clock();
    const context: NormalizeContext = {
      receivedAt,
      receivedAtIso: new Date(receivedAt).toISOString(),
      batchSentAt: batch.sentAt,
      batchContext: batch.context,
      batchIntegrations: batch.integrations,
      newMessageId: randomUUID,
    };
    const tooBig: FieldIssue[] = [];
    // The parsed messages are this request's own: settled in place, each is the one the inbox stores.
    const undo: SentFields = [];
    const entries = batch.messages.map((sent, i) => {
      let message = normalizeMessageInPlace(sent, context, undo);
      // Serialised once, here: for the size check a batch's messages were left to, and for the inbox.
      let json = JSON.stringify(message);
      if (batch.items && mayExceedMessageLimit(json)) {
        // The limit is on the message as sent (`items` holds it, the same object when the fast check passed it).
        const issue = sizeIssue(
          batch.items[i] === sent ? restoreSent(message, undo) : batch.items[i],
          `$.batch[${i}]`,
        );
        if (issue) tooBig.push(issue);
        message = normalizeMessageInPlace(sent, context, undo);
        json = JSON.stringify(message);
      }
      return { kind: 'message' as const, message, json };
    });
    if (tooBig.length > 0) throw HttpError.invalid(tooBig.slice(0, 100));
    // A refused request takes nothing from the rate limit.
    admit(writeKey, Math.max(1, batch.messages.length));
    // The messages are not held while the commit syncs: a request's only reference is the committer's.
    return entries.length > 0 ? deps.committer.append(entries).then(() => SUCCESS) : Promise.resolve(SUCCESS);
  };

  for (const [type, schema] of SINGLE) {
    defineRoute(app, {
      method: 'POST',
      url: `/v1/${type}`,
      summary: `Send one ${type} message`,
      tags: ['ingest'],
      security: 'writeKey',
      documentedBody: schema,
      response: successSchema,
      maxBodyBytes: LIMITS.messageBytes,
      handler: async ({ request }) => {
        const writeKey = requireWriteKey(request, deps.writeKeys);
        const parsed = parseMessage(request.body, { impliedType: type, bodyBytes: request.bodyBytes });
        if (!parsed.ok) throw HttpError.invalid(parsed.error);
        request.body = undefined; // see `accept`
        return accept(writeKey, { messages: [parsed.value] });
      },
    });
  }

  for (const url of ['/v1/batch', '/v1/import']) {
    defineRoute(app, {
      method: 'POST',
      url,
      summary: url === '/v1/batch' ? 'Send up to 2,500 messages at once' : 'Synonym of /v1/batch',
      tags: ['ingest'],
      security: 'writeKey',
      documentedBody: batchSchema,
      response: successSchema,
      maxBodyBytes: LIMITS.batchBytes,
      handler: async ({ request }) => {
        const writeKey = requireWriteKey(request, deps.writeKeys);
        // Sizes are checked on the normalised JSON the inbox needs anyway (see `accept`).
        const parsed = parseBatch(request.body, request.bodyBytes, { sizeCheckedLater: true });
        if (!parsed.ok) throw HttpError.invalid(parsed.error);
        request.body = undefined; // see `accept`
        return accept(writeKey, parsed.value);
      },
    });
  }
}
