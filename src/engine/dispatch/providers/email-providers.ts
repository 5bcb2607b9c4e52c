import { z } from 'zod';
import { createSendGridEmail } from '../../../channels/email/sendgrid-email.js';
import { sendGridVerificationKey } from '../../../channels/email/sendgrid-signature.js';
import { createSesEmail } from '../../../channels/email/ses-email.js';
import { createSmtpEmail } from '../../../channels/email/smtp-email.js';
import { baseUrl, defineProvider, given, limitsSchema } from './define-provider.js';

function isPublicKey(key: string): boolean {
  try {
    return sendGridVerificationKey(key).type === 'public';
  } catch {
    return false;
  }
}

/** Email: SendGrid v3, Amazon SES v2, SMTP (nodemailer, DKIM). */
export const EMAIL_PROVIDERS = {
  sendgrid: defineProvider({
    channel: 'email',
    settings: z.object({
      baseUrl,
      limits: limitsSchema,
      /**
       * The Signed Event Webhook's verification key (base64 DER, as SendGrid shows it, or PEM):
       * `POST /webhooks/sendgrid` accepts only events signed with it.
       */
      webhookVerificationKey: z
        .string()
        .min(1)
        .refine(isPublicKey, 'must be a public key: base64 DER as SendGrid shows it, or PEM')
        .optional(),
    }),
    secrets: z.object({ apiKey: z.string().min(1) }),
    create: (s, k) => createSendGridEmail({ apiKey: k.apiKey, ...given('baseUrl', s.baseUrl) }),
  }),
  ses: defineProvider({
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
    create: (s, k) =>
      createSesEmail({
        region: s.region,
        credentials: { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey },
        ...given('baseUrl', s.baseUrl),
        ...given('configurationSetName', s.configurationSetName || undefined),
      }),
  }),
  smtp: defineProvider({
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
    create: (s, k) =>
      createSmtpEmail({
        host: s.host,
        port: s.port,
        ...given('secure', s.secure),
        ...given('ignoreTLS', s.ignoreTLS),
        ...(s.user ? { auth: { user: s.user, pass: k.pass ?? '' } } : {}),
        ...(s.dkim && k.dkimPrivateKey ? { dkim: { ...s.dkim, privateKey: k.dkimPrivateKey } } : {}),
      }),
  }),
};
