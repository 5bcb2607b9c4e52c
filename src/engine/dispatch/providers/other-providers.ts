import { z } from 'zod';
import { createStandardWebhook } from '../../../channels/webhook/standard-webhook.js';
import { createCloudWhatsApp } from '../../../channels/whatsapp/cloud-whatsapp.js';
import { baseUrl, defineProvider, given, limitsSchema } from './define-provider.js';

/** WhatsApp (the Cloud API) and signed webhooks (Standard Webhooks). */
export const OTHER_PROVIDERS = {
  whatsapp: defineProvider({
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
    create: (s, k) =>
      createCloudWhatsApp({
        accessToken: k.accessToken,
        phoneNumberId: s.phoneNumberId,
        ...given('apiVersion', s.apiVersion || undefined),
        ...given('baseUrl', s.baseUrl),
      }),
  }),
  /** Standard Webhooks signing secrets (`whsec_…`), the current one first during a rotation. */
  webhook: defineProvider({
    channel: 'webhook',
    settings: z.object({ limits: limitsSchema }),
    secrets: z.object({ signingSecrets: z.array(z.string().min(1)).min(1) }),
    create: (_s, k) => createStandardWebhook({ secrets: k.signingSecrets }),
  }),
};
