import { z } from 'zod';
import type { ProviderOutcome } from './provider-outcome.js';

/**
 * One event of SendGrid's Event Webhook (www.twilio.com/docs/sendgrid/for-developers/tracking-events/event).
 * Every event names the recipient (`email`), the time in Unix seconds and SendGrid's message id
 * (`sg_message_id`: the `X-Message-Id` of the Mail Send answer, then `.filter…`); `custom_args` of the
 * send come back as fields of their own (Orkestra's `orkestra_key`). Fields not read here are kept.
 */
const sendGridEventSchema = z
  .object({
    event: z.string().min(1),
    email: z.string().min(1),
    timestamp: z.number().optional(),
    sg_message_id: z.string().optional(),
    sg_event_id: z.string().optional(),
    /** For `bounce` events: `bounce` (the server refused the address) or `blocked` (refused for now). */
    type: z.string().optional(),
    reason: z.string().optional(),
    response: z.string().optional(),
    status: z.string().optional(),
    orkestra_key: z.string().optional(),
  })
  .passthrough();

/** The body SendGrid posts: a JSON array of events, oldest first, up to several hundred at once. */
export const sendGridEventsSchema = z.array(sendGridEventSchema).min(1);
export type SendGridEvent = z.infer<typeof sendGridEventSchema>;

/**
 * The string SendGrid signs with its ECDSA key (Signed Event Webhook): the value of the
 * `X-Twilio-Email-Event-Webhook-Timestamp` header followed by the raw request body.
 */
export const sendGridSignedPayload = (timestamp: string, body: string): string => timestamp + body;

/**
 * SendGrid's id of the message as the Mail Send answer gave it (`X-Message-Id`): the part of
 * `sg_message_id` before its first dot.
 */
export function sendGridMessageId(e: Pick<SendGridEvent, 'sg_message_id' | 'orkestra_key'>): string {
  const sg = e.sg_message_id?.split('.')[0];
  return sg || e.orkestra_key || '';
}

/**
 * The outcome one event reports; undefined for those Orkestra does not act on: `processed` and
 * `deferred` (SendGrid is still trying), and `open`, `click`, `unsubscribe` and group (un)subscribes,
 * which Orkestra tracks through its own pixel, links and preference page.
 *
 * - `delivered` → delivered.
 * - `bounce` of type `bounce` → a permanent bounce (the address is suppressed); of type `blocked` → a
 *   transient one (reported, not suppressed).
 * - `dropped` → failed, permanently: SendGrid did not send because the address is on one of its
 *   suppression lists or invalid, so it will not accept a later message to it either.
 * - `spamreport` → complained (suppressed).
 * @example sendGridOutcome({ event: 'delivered', email: 'ada@example.com', sg_message_id: 'abc.filter1' })
 */
export function sendGridOutcome(e: SendGridEvent): ProviderOutcome | undefined {
  const base = {
    provider: 'sendgrid',
    channel: 'email' as const,
    providerMessageId: sendGridMessageId(e),
    recipients: [e.email],
    ...(e.timestamp !== undefined ? { timestamp: new Date(e.timestamp * 1000).toISOString() } : {}),
  };
  const detail = [e.status, e.reason ?? e.response].filter(Boolean).join(' ');
  const withDetail = detail ? { detail } : {};
  switch (e.event) {
    case 'delivered':
      return { ...base, kind: 'delivered', permanent: false, ...withDetail };
    case 'bounce': {
      const permanent = (e.type ?? 'bounce') === 'bounce';
      return { ...base, kind: 'bounced', permanent, ...withDetail };
    }
    case 'dropped':
      return { ...base, kind: 'failed', permanent: true, ...withDetail };
    case 'spamreport':
      return { ...base, kind: 'complained', permanent: true };
    default:
      return undefined;
  }
}

/** The outcomes of a posted batch of events, in order (events Orkestra does not act on are left out). */
export function sendGridOutcomes(events: readonly SendGridEvent[]): ProviderOutcome[] {
  const outcomes: ProviderOutcome[] = [];
  for (const e of events) {
    const outcome = sendGridOutcome(e);
    if (outcome) outcomes.push(outcome);
  }
  return outcomes;
}
