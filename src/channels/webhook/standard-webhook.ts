import { createHash, createHmac } from 'node:crypto';
import {
  standardWebhookHeaders,
  webhookSecretKey,
  type WebhookSign,
} from '../../core/channels/standard-webhooks.js';
import { accepted, permanent, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, sendHttp } from '../http/send-http.js';

export interface StandardWebhookOptions {
  /** `whsec_…` secrets: the current one first; older ones too during a rotation. */
  readonly secrets: readonly string[];
  readonly now?: Clock;
  /** The spec recommends 15–30 s. Default 15 s. */
  readonly timeoutMs?: number;
}

/** HMAC-SHA256 over the signing content with the base64-decoded secret (spec: "Signature scheme"). */
export function hmacSigner(secret: string): WebhookSign {
  const key = Buffer.from(webhookSecretKey(secret), 'base64');
  return (content) => createHmac('sha256', key).update(content, 'utf8').digest('base64');
}

/** A `webhook-id` for an idempotency key: stable across retries, no `.` (the spec forbids it). */
export const webhookIdFor = (key: string): string =>
  `msg_${createHash('sha256').update(key).digest('base64url').slice(0, 27)}`;

/**
 * Webhooks signed per Standard Webhooks v1 (www.standardwebhooks.com): `webhook-id`,
 * `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256>`. Delivery follows the spec's
 * status handling: 2xx success; 410 Gone permanent (disable the endpoint); 429, 502, 504 and other
 * 5xx retryable, honouring Retry-After; other statuses, 3xx included (redirects are not followed), fail.
 *
 * @example createStandardWebhook({ secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'] })
 */
export function createStandardWebhook(options: StandardWebhookOptions): ChannelProvider<'webhook'> {
  const signers = options.secrets.map(hmacSigner);
  const now = options.now ?? Date.now;
  return {
    channel: 'webhook',
    name: 'standard-webhooks',
    // The spec asks receivers to deduplicate on `webhook-id`, which is stable per idempotency key.
    idempotent: true,
    async send(message) {
      const c = message.content;
      const id = webhookIdFor(message.idempotencyKey);
      const signed = standardWebhookHeaders(
        { id, timestamp: Math.floor(now() / 1000), body: c.body },
        signers,
      );
      const r = await sendHttp({
        url: c.url,
        method: c.method,
        headers: { 'content-type': 'application/json', ...c.headers, ...signed },
        body: c.body,
        timeoutMs: options.timeoutMs ?? 15_000,
      });
      if (!r.ok) return failureFromNetwork('webhook', r);
      const { status } = r.response;
      if (status >= 200 && status < 300) return accepted(id);
      if (status === 410) return permanent('webhook 410: endpoint gone, disable it', { httpStatus: 410 });
      return failureFromResponse('webhook', r.response, { now });
    },
  };
}
