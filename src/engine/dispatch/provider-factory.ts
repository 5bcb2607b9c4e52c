import { z } from 'zod';
import type { ChannelProvider } from '../../channels/channel.js';
import { createSendGridEmail } from '../../channels/email/sendgrid-email.js';
import { createSesEmail } from '../../channels/email/ses-email.js';
import { createSmtpEmail } from '../../channels/email/smtp-email.js';
import { createTwilioSms } from '../../channels/sms/twilio-sms.js';
import type { MessageChannel } from '../../core/channels/variants.js';

const limitsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(1000).default(16),
    perSecond: z.number().positive().max(100_000).default(500),
  })
  .default({ concurrency: 16, perSecond: 500 });
const baseUrl = z.url().optional();

/**
 * Provider types: for each, its channel, the settings shown by the API, and the secrets that are
 * stored sealed and never returned.
 */
export const PROVIDER_TYPES = {
  sendgrid: {
    channel: 'email',
    settings: z.object({ baseUrl, limits: limitsSchema }),
    secrets: z.object({ apiKey: z.string().min(1) }),
  },
  ses: {
    channel: 'email',
    settings: z.object({
      region: z.string().min(1),
      configurationSetName: z.string().optional(),
      baseUrl,
      limits: limitsSchema,
      /** `POST /webhooks/ses` accepts notifications of this SNS topic only. */
      snsTopicArn: z.string().min(1).optional(),
      /** The SNS signing certificate (or its public key), PEM: notifications are verified against it. */
      snsSigningCert: z.string().min(1).optional(),
    }),
    secrets: z.object({
      accessKeyId: z.string().min(1),
      secretAccessKey: z.string().min(1),
      /** The password of the HTTP Basic credentials in the SNS subscription URL. */
      webhookPassword: z.string().min(1).optional(),
    }),
  },
  smtp: {
    channel: 'email',
    settings: z.object({
      host: z.string().min(1),
      port: z.number().int().min(1).max(65535),
      secure: z.boolean().optional(),
      ignoreTLS: z.boolean().optional(),
      user: z.string().optional(),
      dkim: z.object({ domainName: z.string(), keySelector: z.string() }).optional(),
      limits: limitsSchema,
    }),
    secrets: z.object({ pass: z.string().optional(), dkimPrivateKey: z.string().optional() }),
  },
  twilio: {
    channel: 'sms',
    settings: z.object({
      accountSid: z.string().min(1),
      from: z.string().optional(),
      messagingServiceSid: z.string().optional(),
      statusCallback: z.string().optional(),
      baseUrl,
      limits: limitsSchema,
    }),
    secrets: z.object({ authToken: z.string().min(1) }),
  },
} as const satisfies Record<string, { channel: MessageChannel; settings: z.ZodType; secrets: z.ZodType }>;

export type ProviderType = keyof typeof PROVIDER_TYPES;
export const providerTypeSchema = z.enum(Object.keys(PROVIDER_TYPES) as [ProviderType, ...ProviderType[]]);

type Settings<T extends ProviderType> = z.output<(typeof PROVIDER_TYPES)[T]['settings']>;
type Secrets<T extends ProviderType> = z.output<(typeof PROVIDER_TYPES)[T]['secrets']>;

/**
 * Builds a provider from validated settings and opened secrets.
 * @example createProvider('twilio', { accountSid: 'AC1', from: '+1…', limits }, { authToken })
 */
export function createProvider(type: ProviderType, settings: unknown, secrets: unknown): ChannelProvider {
  switch (type) {
    case 'sendgrid': {
      const s = settings as Settings<'sendgrid'>;
      const k = secrets as Secrets<'sendgrid'>;
      return createSendGridEmail({ apiKey: k.apiKey, ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}) });
    }
    case 'ses': {
      const s = settings as Settings<'ses'>;
      const k = secrets as Secrets<'ses'>;
      return createSesEmail({
        region: s.region,
        credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey },
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
        ...(s.configurationSetName ? { configurationSetName: s.configurationSetName } : {}),
      });
    }
    case 'smtp': {
      const s = settings as Settings<'smtp'>;
      const k = secrets as Secrets<'smtp'>;
      return createSmtpEmail({
        host: s.host,
        port: s.port,
        ...(s.secure !== undefined ? { secure: s.secure } : {}),
        ...(s.ignoreTLS !== undefined ? { ignoreTLS: s.ignoreTLS } : {}),
        ...(s.user ? { auth: { user: s.user, pass: k.pass ?? '' } } : {}),
        ...(s.dkim && k.dkimPrivateKey ? { dkim: { ...s.dkim, privateKey: k.dkimPrivateKey } } : {}),
      });
    }
    case 'twilio': {
      const s = settings as Settings<'twilio'>;
      const k = secrets as Secrets<'twilio'>;
      return createTwilioSms({
        accountSid: s.accountSid,
        authToken: k.authToken,
        ...(s.from ? { from: s.from } : {}),
        ...(s.messagingServiceSid ? { messagingServiceSid: s.messagingServiceSid } : {}),
        ...(s.statusCallback ? { statusCallback: s.statusCallback } : {}),
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
      });
    }
  }
}
