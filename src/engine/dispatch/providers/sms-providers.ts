import { z } from 'zod';
import { createHttpSms, httpSmsDefinitionSchema } from '../../../channels/sms/http-sms.js';
import { createTwilioSms } from '../../../channels/sms/twilio-sms.js';
import { baseUrl, defineProvider, given, limitsSchema } from './define-provider.js';

const httpSmsAuth = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('basic'), username: z.string() }),
    z.object({ type: z.literal('bearer') }),
    z.object({ type: z.literal('header'), name: z.string().min(1) }),
  ])
  .optional();

/** Puts the sealed credential back into the HTTP SMS definition's auth. */
function withCredential(auth: NonNullable<z.output<typeof httpSmsAuth>>, credential: string) {
  switch (auth.type) {
    case 'basic':
      return { ...auth, password: credential };
    case 'bearer':
      return { ...auth, token: credential };
    case 'header':
      return { ...auth, value: credential };
  }
}

/** SMS: Twilio, and any HTTP provider described as data. */
export const SMS_PROVIDERS = {
  twilio: defineProvider({
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
    create: (s, k) =>
      createTwilioSms({
        accountSid: s.accountSid,
        authToken: k.authToken,
        ...given('from', s.from || undefined),
        ...given('messagingServiceSid', s.messagingServiceSid || undefined),
        ...given('statusCallback', s.statusCallback || undefined),
        ...given('baseUrl', s.baseUrl),
      }),
  }),
  /**
   * The generic HTTP SMS definition (http-sms.ts); `auth` names the scheme and the user or header
   * name, and the one credential (password, token or header value) is the secret.
   */
  httpsms: defineProvider({
    channel: 'sms',
    settings: httpSmsDefinitionSchema
      .omit({ auth: true })
      .extend({ auth: httpSmsAuth, limits: limitsSchema }),
    secrets: z.object({ credential: z.string().optional() }),
    create: (s, k) => {
      const { limits: _limits, auth, ...definition } = s;
      return createHttpSms({
        ...definition,
        ...(auth ? { auth: withCredential(auth, k.credential ?? '') } : {}),
      });
    },
  }),
};
