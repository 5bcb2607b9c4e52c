import type { RenderedContent } from '../core/channels/rendered-message.js';
import type { MessageChannel } from '../core/channels/variants.js';

/**
 * The port every provider implements: send one rendered message, say what happened. A provider never
 * retries by itself; the dispatcher owns retries, using `retryable` and `retryAfterMs`.
 */

/** A browser push subscription, as `JSON.stringify(PushSubscription)` gives it (W3C Push API). */
export interface WebPushSubscription {
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

/** Who a message goes to, by channel. */
export interface AddressByChannel {
  /** An email address. */
  readonly email: string;
  /** E.164 phone number. */
  readonly sms: string;
  /** FCM registration token or APNs device token (hex). */
  readonly push: string;
  readonly webpush: WebPushSubscription;
  /** E.164 phone number (the Cloud API takes it with or without `+`). */
  readonly whatsapp: string;
  /** The profile id whose inbox receives the message. */
  readonly inapp: string;
  /** Webhooks go to the URL in the rendered content. */
  readonly webhook: null;
}

/** One message to send: rendered content plus the recipient and the idempotency key (`run:node:channel`). */
export interface OutboundMessage<C extends MessageChannel = MessageChannel> {
  readonly idempotencyKey: string;
  readonly channel: C;
  readonly to: AddressByChannel[C];
  readonly content: RenderedContent<C>;
}

/**
 * What a send came to. `accepted` means the provider took the message (delivery receipts arrive
 * later, as events); `failed` says whether to retry and when, and whether the address or token is dead.
 */
export type SendOutcome =
  | { readonly status: 'accepted'; readonly providerMessageId: string }
  | {
      readonly status: 'failed';
      readonly retryable: boolean;
      readonly reason: string;
      readonly retryAfterMs?: number;
      /** The push token or subscription is gone (FCM UNREGISTERED, APNs 410, web push 404/410): drop it. */
      readonly invalidToken?: boolean;
      readonly httpStatus?: number;
      /**
       * The request may have reached the provider (the connection failed after it was written, or the
       * answer never came): retrying may send the message twice unless the provider is `idempotent`.
       */
      readonly inDoubt?: boolean;
    };

/** A provider for one channel (`smtp` for email, `twilio` for sms, ...). */
export interface ChannelProvider<C extends MessageChannel = MessageChannel> {
  readonly channel: C;
  /** Short provider name, as it appears on deliveries: `smtp`, `ses`, `twilio`, `fcm`, ... */
  readonly name: string;
  /**
   * The provider drops a repeated request that carries the same idempotency key (Twilio's
   * `I-Twilio-Idempotency-Token`, Standard Webhooks receivers deduplicating on `webhook-id`, the
   * in-app inbox). Only then does the dispatcher resend a message whose first attempt is in doubt
   * (a crash or a lost answer during the call); otherwise such a delivery becomes `unknown`.
   */
  readonly idempotent?: boolean;
  send(message: OutboundMessage<C>): Promise<SendOutcome>;
  /** Releases pooled connections. */
  close?(): Promise<void>;
}

/** A clock, injected so tests can fix time (ARCHITECTURE.md: tests use a fake clock). */
export type Clock = () => number;

/** The provider accepted the message. */
export const accepted = (providerMessageId: string): SendOutcome => ({
  status: 'accepted',
  providerMessageId,
});

/** A failure worth retrying, optionally not before `retryAfterMs`. */
export function retryable(
  reason: string,
  extra: { retryAfterMs?: number; httpStatus?: number; inDoubt?: boolean } = {},
): SendOutcome {
  return { status: 'failed', retryable: true, reason, ...extra };
}

/** A failure that will fail again: do not retry. */
export function permanent(
  reason: string,
  extra: { invalidToken?: boolean; httpStatus?: number } = {},
): SendOutcome {
  return { status: 'failed', retryable: false, reason, ...extra };
}
