import { z } from 'zod';
import { createApnsPush } from '../../../channels/push/apns-push.js';
import { createFcmPush } from '../../../channels/push/fcm-push.js';
import { createVapidWebPush } from '../../../channels/webpush/vapid-webpush.js';
import { baseUrl, defineProvider, given, limitsSchema, pemKey } from './define-provider.js';

/** Mobile push (FCM HTTP v1, APNs) and web push (VAPID). */
export const PUSH_PROVIDERS = {
  /** FCM HTTP v1: the service account's fields as settings, its private key as the secret. */
  fcm: defineProvider({
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
    create: (s, k) =>
      createFcmPush({
        serviceAccount: {
          project_id: s.projectId,
          client_email: s.clientEmail,
          private_key: k.privateKey,
          ...given('private_key_id', s.privateKeyId || undefined),
          ...given('token_uri', s.tokenUri),
        },
        ...given('baseUrl', s.baseUrl),
      }),
  }),
  /** APNs token auth (HTTP/2): the `.p8` key is the secret. */
  apns: defineProvider({
    channel: 'push',
    settings: z.object({
      keyId: z.string().min(1),
      teamId: z.string().min(1),
      topic: z.string().min(1),
      baseUrl,
      limits: limitsSchema,
    }),
    secrets: z.object({ signingKey: pemKey }),
    create: (s, k) =>
      createApnsPush({
        signingKey: k.signingKey,
        keyId: s.keyId,
        teamId: s.teamId,
        topic: s.topic,
        ...given('baseUrl', s.baseUrl),
      }),
  }),
  /** Web push with VAPID (RFC 8292): the public key is shown to browsers, the private one is sealed. */
  vapid: defineProvider({
    channel: 'webpush',
    settings: z.object({
      subject: z.string().regex(/^(mailto:|https:)/, 'mailto: or https: URL'),
      publicKey: z.string().min(1),
      ttlSeconds: z.number().int().min(0).max(2_419_200).optional(),
      limits: limitsSchema,
    }),
    secrets: z.object({ privateKey: z.string().min(1) }),
    create: (s, k) =>
      createVapidWebPush({
        subject: s.subject,
        publicKey: s.publicKey,
        privateKey: k.privateKey,
        ...given('ttlSeconds', s.ttlSeconds),
      }),
  }),
};
