import { z } from 'zod';
import { err, ok, type Result } from '../result.js';
import type { ProviderOutcome } from './provider-outcome.js';

/**
 * An Amazon SNS message as POSTed to an HTTP(S) subscriber
 * (docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
 */
export const snsEnvelopeSchema = z.object({
  Type: z.enum(['SubscriptionConfirmation', 'Notification', 'UnsubscribeConfirmation']),
  MessageId: z.string().min(1),
  TopicArn: z.string().min(1),
  Message: z.string(),
  Timestamp: z.string(),
  Subject: z.string().optional(),
  Token: z.string().optional(),
  SubscribeURL: z.string().optional(),
  SignatureVersion: z.string().optional(),
  Signature: z.string().optional(),
  SigningCertURL: z.string().optional(),
});
export type SnsEnvelope = z.infer<typeof snsEnvelopeSchema>;

const FIELDS = {
  Notification: ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'],
  SubscriptionConfirmation: [
    'Message',
    'MessageId',
    'SubscribeURL',
    'Timestamp',
    'Token',
    'TopicArn',
    'Type',
  ],
  UnsubscribeConfirmation: ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'],
} as const;

/**
 * The string SNS signs (docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html):
 * each field's name and value on lines of their own, in this order, absent optional ones left out.
 */
export function snsStringToSign(m: SnsEnvelope): string {
  let out = '';
  for (const f of FIELDS[m.Type]) {
    const v = m[f as keyof SnsEnvelope];
    if (v !== undefined) out += `${f}\n${v}\n`;
  }
  return out;
}

/**
 * SES's event in an SNS notification: `notificationType` (identity notifications) or `eventType`
 * (configuration-set event publishing), with `mail` and a `bounce`, `complaint` or `delivery` object
 * (docs.aws.amazon.com/ses/latest/dg/notification-contents.html).
 */
const sesEventSchema = z.object({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  mail: z.object({ messageId: z.string().min(1), destination: z.array(z.string()).optional() }),
  bounce: z
    .object({
      bounceType: z.string(),
      bounceSubType: z.string().optional(),
      bouncedRecipients: z.array(
        z.object({ emailAddress: z.string(), diagnosticCode: z.string().optional() }),
      ),
      timestamp: z.string().optional(),
    })
    .optional(),
  complaint: z
    .object({
      complainedRecipients: z.array(z.object({ emailAddress: z.string() })),
      complaintFeedbackType: z.string().optional(),
      timestamp: z.string().optional(),
    })
    .optional(),
  delivery: z
    .object({
      recipients: z.array(z.string()),
      timestamp: z.string().optional(),
      smtpResponse: z.string().optional(),
    })
    .optional(),
});

/**
 * The outcome an SES notification reports; undefined for event types Orkestra does not act on
 * (`Send`, `Open`, `Click`: Orkestra tracks those itself). Only `Permanent` bounces suppress; transient
 * and undetermined ones are reported and left to the retry of a later message.
 * @example parseSesNotification(JSON.parse(sns.Message))
 */
export function parseSesNotification(message: unknown): Result<ProviderOutcome | undefined, string> {
  const parsed = sesEventSchema.safeParse(message);
  if (!parsed.success) return err(`not an SES notification: ${parsed.error.issues[0]?.message ?? ''}`);
  const e = parsed.data;
  const base = { provider: 'ses', channel: 'email' as const, providerMessageId: e.mail.messageId };
  switch (e.notificationType ?? e.eventType) {
    case 'Delivery':
      if (!e.delivery) return err('Delivery without a delivery object');
      return ok({
        ...base,
        kind: 'delivered',
        recipients: e.delivery.recipients,
        permanent: false,
        ...(e.delivery.smtpResponse ? { detail: e.delivery.smtpResponse } : {}),
        ...(e.delivery.timestamp ? { timestamp: e.delivery.timestamp } : {}),
      });
    case 'Bounce': {
      const b = e.bounce;
      if (!b) return err('Bounce without a bounce object');
      const diagnostic = b.bouncedRecipients.find((r) => r.diagnosticCode)?.diagnosticCode;
      return ok({
        ...base,
        kind: 'bounced',
        recipients: b.bouncedRecipients.map((r) => r.emailAddress),
        permanent: b.bounceType === 'Permanent',
        detail: [b.bounceType, b.bounceSubType, diagnostic].filter(Boolean).join(': '),
        ...(b.timestamp ? { timestamp: b.timestamp } : {}),
      });
    }
    case 'Complaint': {
      const c = e.complaint;
      if (!c) return err('Complaint without a complaint object');
      return ok({
        ...base,
        kind: 'complained',
        recipients: c.complainedRecipients.map((r) => r.emailAddress),
        permanent: true,
        ...(c.complaintFeedbackType ? { detail: c.complaintFeedbackType } : {}),
        ...(c.timestamp ? { timestamp: c.timestamp } : {}),
      });
    }
    default:
      return ok(undefined);
  }
}
