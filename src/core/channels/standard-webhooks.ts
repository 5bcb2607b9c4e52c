/**
 * Standard Webhooks signing, sender side (https://www.standardwebhooks.com, spec/standard-webhooks.md
 * v1.0.0, "Signature scheme" and "Webhook headers"). Pure: the HMAC-SHA256 is an injected function, so
 * the adapter (`src/channels/webhook`) supplies node:crypto and tests can supply their own.
 */

/** Signs the signing content with one key and returns the signature, base64-encoded. */
export type WebhookSign = (content: string) => string;

/** The three headers the spec names (lower-case, as the spec spells them). */
export interface StandardWebhookHeaders {
  readonly 'webhook-id': string;
  readonly 'webhook-timestamp': string;
  readonly 'webhook-signature': string;
}

/** What is signed: the message id, the attempt time and the exact body bytes that are sent. */
export interface WebhookAttempt {
  /** Unique per event and the same on every retry, so the consumer can use it as an idempotency key. */
  readonly id: string;
  /** Unix time of this attempt, in seconds. */
  readonly timestamp: number;
  readonly body: string;
}

/** Prefix of serialized symmetric secrets ("base64 encoded, prefixed with `whsec_`"). */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';

/**
 * The signing content `{msg_id}.{timestamp}.{payload}`. The spec asks that id and timestamp contain no
 * `.`, so that one content cannot be read two ways; we refuse such an id rather than sign it.
 */
export function webhookSigningContent(attempt: WebhookAttempt): string {
  if (attempt.id.length === 0 || attempt.id.includes('.'))
    throw new TypeError('webhook id must be non-empty and contain no "."');
  if (!Number.isSafeInteger(attempt.timestamp) || attempt.timestamp < 0)
    throw new TypeError('webhook timestamp must be whole seconds since the epoch');
  return `${attempt.id}.${attempt.timestamp}.${attempt.body}`;
}

/**
 * Builds the headers for one attempt. Several signers (current and previous key) give several
 * space-delimited `v1,<base64>` signatures, for zero-downtime secret rotation.
 *
 * @example
 * standardWebhookHeaders({ id: 'msg_1', timestamp: 1674087231, body: '{}' }, [hmacWith(secret)])
 * // { 'webhook-id': 'msg_1', 'webhook-timestamp': '1674087231', 'webhook-signature': 'v1,K5oZ...=' }
 */
export function standardWebhookHeaders(
  attempt: WebhookAttempt,
  signers: readonly WebhookSign[],
): StandardWebhookHeaders {
  if (signers.length === 0) throw new TypeError('at least one signing key is needed');
  const content = webhookSigningContent(attempt);
  return {
    'webhook-id': attempt.id,
    'webhook-timestamp': String(attempt.timestamp),
    'webhook-signature': signers.map((sign) => `v1,${sign(content)}`).join(' '),
  };
}

/** The base64 key material of a `whsec_…` secret (a bare base64 secret is accepted too). */
export function webhookSecretKey(secret: string): string {
  const key = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key)) throw new TypeError('webhook secret is not base64');
  return key;
}
