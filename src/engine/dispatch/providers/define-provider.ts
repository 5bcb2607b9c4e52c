import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import type { ChannelProvider } from '../../../channels/channel.js';
import type { MessageChannel } from '../../../core/channels/variants.js';

/** Per-provider concurrency and rate limit, applied by its lane. */
export const limitsSchema = z
  .object({
    concurrency: z.number().int().min(1).max(1000).default(16),
    perSecond: z.number().positive().max(100_000).default(500),
  })
  .default({ concurrency: 16, perSecond: 500 });

/** Where the provider's API is, for a local stand-in or a regional endpoint. */
export const baseUrl = z.url().optional();

/** A PEM private key Node can read: caught at `PUT`, not at the first send. */
export const pemKey = z.string().refine((pem) => {
  try {
    return createPrivateKey(pem).type === 'private';
  } catch {
    return false;
  }
}, 'a PEM (PKCS #8) private key');

/** A provider type: its channel, the settings the API shows, the secrets kept sealed, and how to build it. */
export interface ProviderKind<S extends z.ZodType = z.ZodType, K extends z.ZodType = z.ZodType> {
  readonly channel: MessageChannel;
  readonly settings: S;
  readonly secrets: K;
  readonly create: (settings: z.output<S>, secrets: z.output<K>) => ChannelProvider;
}

/**
 * Declares a provider type with `create` typed by its own schemas.
 * @example defineProvider({ channel: 'sms', settings, secrets, create: (s, k) => createTwilioSms({ ... }) })
 */
export const defineProvider = <S extends z.ZodType, K extends z.ZodType>(
  kind: ProviderKind<S, K>,
): ProviderKind<S, K> => kind;

/** `{ key: value }` when the value is set, `{}` otherwise: for optional options under exactOptionalPropertyTypes. */
export const given = <T extends string, V>(key: T, value: V | undefined): { [k in T]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [k in T]?: V };
