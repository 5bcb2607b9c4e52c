import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import type { ChannelProvider } from '../../channels/channel.js';
import { createSendGridEmail } from '../../channels/email/sendgrid-email.js';
import { createSesEmail } from '../../channels/email/ses-email.js';
import { createSmtpEmail } from '../../channels/email/smtp-email.js';
import { createApnsPush } from '../../channels/push/apns-push.js';
import { createFcmPush } from '../../channels/push/fcm-push.js';
import { createHttpSms, httpSmsDefinitionSchema } from '../../channels/sms/http-sms.js';
import { createTwilioSms } from '../../channels/sms/twilio-sms.js';
import { createStandardWebhook } from '../../channels/webhook/standard-webhook.js';
import { createVapidWebPush } from '../../channels/webpush/vapid-webpush.js';
import { createCloudWhatsApp } from '../../channels/whatsapp/cloud-whatsapp.js';
import type { MessageChannel } from '../../core/channels/variants.js';

const limitsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(1000).default(16),
    perSecond: z.number().positive().max(100_000).default(500),
  })
  .default({ concurrency: 16, perSecond: 500 });
const baseUrl = z.url().optional();
/** A PEM private key Node can read: caught at `PUT`, not at the first send. */
const pemKey = z.string().refine((pem) => {
  try {
    return createPrivateKey(pem).type === 'private';
  } catch {
    return false;
  }
}, 'a PEM (PKCS #8) private key');

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
  /** FCM HTTP v1: the service account's fields as settings, its private key as the secret. */
  fcm: {
    channel: 'push',
    settings: z.object({
      projectId: z.string().min(1),
      clientEmail: z.string().min(1),
      privateKeyId: z.string().optional(),
      tokenUri: z.url().optional(),
      baseUrl,
      limits: limitsSchema,
    }),
    secrets: z.object({ privateKey: pemKey }),
  },
  /** APNs token auth (HTTP/2): the `.p8` key is the secret. */
  apns: {
    channel: 'push',
    settings: z.object({
      keyId: z.string().min(1),
      teamId: z.string().min(1),
      topic: z.string().min(1),
      baseUrl,
      limits: limitsSchema,
    }),
    secrets: z.object({ signingKey: pemKey }),
  },
  /** Web push with VAPID (RFC 8292): the public key is shown to browsers, the private one is sealed. */
  vapid: {
    channel: 'webpush',
    settings: z.object({
      subject: z.string().regex(/^(mailto:|https:)/, 'mailto: or https: URL'),
      publicKey: z.string().min(1),
      ttlSeconds: z.number().int().min(0).max(2_419_200).optional(),
      limits: limitsSchema,
    }),
    secrets: z.object({ privateKey: z.string().min(1) }),
  },
  whatsapp: {
    channel: 'whatsapp',
    settings: z.object({
      phoneNumberId: z.string().min(1),
      apiVersion: z
        .string()
        .regex(/^v[0-9]+\.[0-9]+$/, 'v<major>.<minor>')
        .optional(),
      baseUrl,
      limits: limitsSchema,
    }),
    secrets: z.object({ accessToken: z.string().min(1) }),
  },
  /** Standard Webhooks signing secrets (`whsec_…`), the current one first during a rotation. */
  webhook: {
    channel: 'webhook',
    settings: z.object({ limits: limitsSchema }),
    secrets: z.object({ signingSecrets: z.array(z.string().min(1)).min(1) }),
  },
  /**
   * The generic HTTP SMS definition (http-sms.ts); `auth` names the scheme and the user or header
   * name, and the one credential (password, token or header value) is the secret.
   */
  httpsms: {
    channel: 'sms',
    settings: httpSmsDefinitionSchema.omit({ auth: true }).extend({
      auth: z
        .discriminatedUnion('type', [
          z.object({ type: z.literal('basic'), username: z.string() }),
          z.object({ type: z.literal('bearer') }),
          z.object({ type: z.literal('header'), name: z.string().min(1) }),
        ])
        .optional(),
      limits: limitsSchema,
    }),
    secrets: z.object({ credential: z.string().optional() }),
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
    case 'fcm':
    case 'apns':
    case 'vapid':
    case 'whatsapp':
    case 'webhook':
    case 'httpsms':
      return createOtherProvider(type, settings, secrets);
  }
}

/** The push, web push, WhatsApp, webhook and generic SMS providers (split to keep each switch short). */
function createOtherProvider(type: ProviderType, settings: unknown, secrets: unknown): ChannelProvider {
  switch (type) {
    case 'fcm': {
      const s = settings as Settings<'fcm'>;
      const k = secrets as Secrets<'fcm'>;
      return createFcmPush({
        serviceAccount: {
          project_id: s.projectId,
          client_email: s.clientEmail,
          private_key: k.privateKey,
          ...(s.privateKeyId ? { private_key_id: s.privateKeyId } : {}),
          ...(s.tokenUri ? { token_uri: s.tokenUri } : {}),
        },
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
      });
    }
    case 'apns': {
      const s = settings as Settings<'apns'>;
      const k = secrets as Secrets<'apns'>;
      return createApnsPush({
        signingKey: k.signingKey,
        keyId: s.keyId,
        teamId: s.teamId,
        topic: s.topic,
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
      });
    }
    case 'vapid': {
      const s = settings as Settings<'vapid'>;
      const k = secrets as Secrets<'vapid'>;
      return createVapidWebPush({
        subject: s.subject,
        publicKey: s.publicKey,
        privateKey: k.privateKey,
        ...(s.ttlSeconds !== undefined ? { ttlSeconds: s.ttlSeconds } : {}),
      });
    }
    case 'whatsapp': {
      const s = settings as Settings<'whatsapp'>;
      const k = secrets as Secrets<'whatsapp'>;
      return createCloudWhatsApp({
        accessToken: k.accessToken,
        phoneNumberId: s.phoneNumberId,
        ...(s.apiVersion ? { apiVersion: s.apiVersion } : {}),
        ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}),
      });
    }
    case 'webhook':
      return createStandardWebhook({ secrets: (secrets as Secrets<'webhook'>).signingSecrets });
    case 'httpsms': {
      const { limits: _limits, auth, ...definition } = settings as Settings<'httpsms'>;
      const credential = (secrets as Secrets<'httpsms'>).credential ?? '';
      return createHttpSms({ ...definition, ...(auth ? { auth: withCredential(auth, credential) } : {}) });
    }
    default:
      throw new Error(`provider type ${type} is built by createProvider`);
  }
}

type HttpSmsAuth = NonNullable<Settings<'httpsms'>['auth']>;

/** Puts the sealed credential back into the HTTP SMS definition's auth. */
function withCredential(auth: HttpSmsAuth, credential: string) {
  switch (auth.type) {
    case 'basic':
      return { ...auth, password: credential };
    case 'bearer':
      return { ...auth, token: credential };
    case 'header':
      return { ...auth, value: credential };
  }
}
