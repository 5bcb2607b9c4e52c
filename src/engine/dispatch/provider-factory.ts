import { z } from 'zod';
import type { ChannelProvider } from '../../channels/channel.js';
import type { ProviderKind } from './providers/define-provider.js';
import { EMAIL_PROVIDERS } from './providers/email-providers.js';
import { OTHER_PROVIDERS } from './providers/other-providers.js';
import { PUSH_PROVIDERS } from './providers/push-providers.js';
import { SMS_PROVIDERS } from './providers/sms-providers.js';

/**
 * Provider types: for each, its channel, the settings shown by the API, the secrets that are stored
 * sealed and never returned, and how to build it (one file per channel group under `providers/`).
 */
export const PROVIDER_TYPES = {
  ...EMAIL_PROVIDERS,
  ...SMS_PROVIDERS,
  ...PUSH_PROVIDERS,
  ...OTHER_PROVIDERS,
};

export type ProviderType = keyof typeof PROVIDER_TYPES;
export const providerTypeSchema = z.enum(Object.keys(PROVIDER_TYPES) as [ProviderType, ...ProviderType[]]);

/**
 * Builds a provider from settings and secrets already validated by its type's schemas.
 * @example createProvider('twilio', { accountSid: 'AC1', from: '+1…', limits }, { authToken })
 */
export function createProvider(type: ProviderType, settings: unknown, secrets: unknown): ChannelProvider {
  const kind: ProviderKind = PROVIDER_TYPES[type];
  return kind.create(settings, secrets);
}
