import { z } from 'zod';
import type { Profile } from '../profiles/profile.js';
import { channelAddresses } from '../profiles/profile.js';
import { isReachable } from '../segments/evaluate.js';

/**
 * Channels a send step can name. `log` is the built-in channel that records what would be sent
 * (used until real providers are configured, and in tests).
 */
export const JOURNEY_CHANNELS = ['email', 'sms', 'push', 'webpush', 'whatsapp', 'inapp', 'log'] as const;
export type JourneyChannel = (typeof JOURNEY_CHANNELS)[number];
export const journeyChannelSchema = z.enum(JOURNEY_CHANNELS);

/** The order `best` tries channels in when the person's recent activity gives no hint. */
const BEST_ORDER: readonly JourneyChannel[] = ['email', 'push', 'sms', 'whatsapp', 'webpush'];

/** Whether the profile has an address for a channel and has not opted out of it. */
export function canReach(profile: Profile, channel: JourneyChannel): boolean {
  switch (channel) {
    case 'email':
    case 'sms':
    case 'push':
      return isReachable(profile, channel);
    case 'webpush':
      return profile.subscriptions?.webpush !== false && profile.pushTokens.some((t) => t.platform === 'web');
    case 'whatsapp':
      return profile.subscriptions?.whatsapp !== false && channelAddresses(profile).phone !== undefined;
    case 'inapp':
    case 'log':
      return true;
  }
}

/**
 * The channel a send step uses for this person: the named one, the first reachable of an ordered list,
 * or for `best` the app they used last (push) before email, SMS, WhatsApp and web push. `undefined` when
 * none can reach them.
 * @example chooseChannel(['push', 'email'], profile) // 'email' when the person has no device token
 */
export function chooseChannel(
  choice: JourneyChannel | readonly JourneyChannel[] | 'best',
  profile: Profile,
): JourneyChannel | undefined {
  if (typeof choice === 'string' && choice !== 'best') return canReach(profile, choice) ? choice : undefined;
  const order: readonly JourneyChannel[] =
    choice === 'best'
      ? profile.lastChannel === 'ios' || profile.lastChannel === 'android'
        ? ['push', ...BEST_ORDER.filter((c) => c !== 'push')]
        : BEST_ORDER
      : choice;
  return order.find((c) => canReach(profile, c));
}
