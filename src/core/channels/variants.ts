import { z } from 'zod';

/**
 * Per-channel message variants: schemas that double as types. Every string field may hold Liquid
 * (`{{ profile.traits.firstName }}`); it is checked when the template is saved and rendered per recipient.
 */

/** The channels a message can be sent on. */
export const MESSAGE_CHANNELS = ['email', 'sms', 'push', 'webpush', 'whatsapp', 'inapp', 'webhook'] as const;
export const messageChannelSchema = z.enum(MESSAGE_CHANNELS);
/** One of {@link MESSAGE_CHANNELS}. */
export type MessageChannel = z.infer<typeof messageChannelSchema>;

const text = z.string().max(100_000);
const line = z.string().max(2_000);

/** An email address with an optional display name (RFC 5322 `name-addr`). */
export const mailboxSchema = z.object({
  address: z.string().min(3).max(320),
  name: z.string().max(200).optional(),
});
export type Mailbox = z.infer<typeof mailboxSchema>;

/** Email: MJML (compiled once when saved) or HTML; the text part is generated from the HTML when absent. */
export const emailVariantSchema = z.object({
  subject: line.min(1),
  preheader: line.optional(),
  format: z.enum(['mjml', 'html']),
  body: text.min(1),
  text: text.optional(),
  from: mailboxSchema,
  replyTo: mailboxSchema.optional(),
});

/** SMS: one body; its encoding and segment count are shown by `sms-encoding.ts`. */
export const smsVariantSchema = z.object({ body: z.string().min(1).max(10_000) });

/** Mobile push (FCM, APNs). `data` values are strings, as FCM requires. */
export const pushVariantSchema = z.object({
  title: line.min(1),
  body: line.min(1),
  image: line.optional(),
  deepLink: line.optional(),
  data: z.record(z.string(), line).optional(),
});

/** A web push notification action button (Notifications API `NotificationAction`). */
export const webPushActionSchema = z.object({
  action: z.string().min(1).max(100),
  title: line.min(1),
  icon: line.optional(),
});

/** Web push (VAPID): what the service worker shows. */
export const webPushVariantSchema = z.object({
  title: line.min(1),
  body: line.min(1),
  icon: line.optional(),
  url: line.optional(),
  actions: z.array(webPushActionSchema).max(4).optional(),
});

/**
 * WhatsApp: an approved template (required outside the 24-hour customer service window), or free text
 * (only inside it). Template parameters fill the body's `{{1}}`, `{{2}}`, ... in order.
 */
export const whatsAppVariantSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('template'),
    template: z.object({
      name: z.string().min(1).max(512),
      language: z.string().min(2).max(15),
      parameters: z.array(line).max(50).default([]),
    }),
  }),
  z.object({
    type: z.literal('text'),
    text: z.string().min(1).max(4096),
    previewUrl: z.boolean().optional(),
  }),
]);

/** In-app inbox message, shown by the app or site until read or expired. */
export const inAppVariantSchema = z.object({
  title: line.min(1),
  body: text.min(1),
  image: line.optional(),
  cta: z.object({ label: line.min(1), url: line.min(1) }).optional(),
  expiresInHours: z
    .number()
    .int()
    .positive()
    .max(24 * 365)
    .optional(),
});

/** Webhook: an HTTP request signed per Standard Webhooks. */
export const webhookVariantSchema = z.object({
  method: z.enum(['POST', 'PUT', 'PATCH']).default('POST'),
  url: line.min(1),
  headers: z.record(z.string(), line).optional(),
  body: text.default(''),
});

/** Variant schema by channel; `satisfies` makes adding a channel fail here until it has one. */
export const variantSchemas = {
  email: emailVariantSchema,
  sms: smsVariantSchema,
  push: pushVariantSchema,
  webpush: webPushVariantSchema,
  whatsapp: whatsAppVariantSchema,
  inapp: inAppVariantSchema,
  webhook: webhookVariantSchema,
} as const satisfies Record<MessageChannel, z.ZodType>;

/** The variant type of one channel, e.g. `VariantOf<'sms'>` is `{ body: string }`. */
export type VariantOf<C extends MessageChannel> = z.infer<(typeof variantSchemas)[C]>;
