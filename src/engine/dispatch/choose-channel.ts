import type { WebPushSubscription } from '../../channels/channel.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import { channelAddresses, type Profile } from '../../core/profiles/profile.js';
import type { ChannelChoice, SendCategory } from '../../store/store.js';
import { mayContact, type ConsentPolicy } from './consent-policy.js';

/** Where a message can go on one channel: the address as the provider takes it, and its key for suppressions. */
export interface ChannelAddress {
  readonly to: string | WebPushSubscription | null;
  /** The address as written in the suppression list (`ayse@example.com`, `+90…`, a token). */
  readonly key: string;
}

function parseSubscription(token: string): WebPushSubscription | undefined {
  try {
    const s = JSON.parse(token) as Partial<WebPushSubscription>;
    return typeof s.endpoint === 'string' && s.keys ? (s as WebPushSubscription) : undefined;
  } catch {
    return undefined;
  }
}

/** The person's address on `channel`, if they have one. */
export function addressOf(profile: Profile, channel: MessageChannel): ChannelAddress | undefined {
  const a = channelAddresses(profile);
  const newest = (web: boolean) =>
    [...profile.pushTokens]
      .filter((t) => (t.platform === 'web') === web)
      .sort((x, y) => y.updatedAt - x.updatedAt)[0];
  switch (channel) {
    case 'email':
      return a.email === undefined ? undefined : { to: a.email, key: a.email };
    case 'sms':
    case 'whatsapp':
      return a.phone === undefined ? undefined : { to: a.phone, key: a.phone };
    case 'push': {
      const t = newest(false);
      return t && { to: t.token, key: t.token };
    }
    case 'webpush': {
      const t = newest(true);
      const s = t && parseSubscription(t.token);
      return s && { to: s, key: s.endpoint };
    }
    case 'inapp':
      return { to: profile.id, key: profile.id };
    case 'webhook':
      return { to: null, key: 'webhook' };
  }
}

/** Everything a channel choice reads; all loaded beforehand, so the choice itself is pure. */
export interface ChoiceInput {
  readonly choice: ChannelChoice;
  readonly profile: Profile;
  readonly category: SendCategory;
  readonly topic?: string | undefined;
  /** The person's subscriptions: the profile's, overlaid with consent given through Orkestra. */
  readonly subscriptions: Readonly<Record<string, boolean>>;
  readonly policy: ConsentPolicy;
  /** Suppressed addresses, as `channel:key`. */
  readonly suppressed: ReadonlySet<string>;
  /** Channels that have a provider configured. */
  readonly available: ReadonlySet<MessageChannel>;
}

export type ChannelDecision =
  | {
      readonly ok: true;
      readonly channel: MessageChannel;
      readonly address: ChannelAddress;
      readonly reason: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Why `channel` cannot be used, or undefined when it can. */
function blocker(input: ChoiceInput, channel: MessageChannel): string | undefined {
  if (!input.available.has(channel)) return `${channel}: no provider`;
  const address = addressOf(input.profile, channel);
  if (!address) return `${channel}: no address`;
  if (input.suppressed.has(`${channel}:${address.key}`)) return `${channel}: address suppressed`;
  const target = { channel, topic: input.topic, category: input.category };
  if (!mayContact(input.subscriptions, target, input.policy)) return `${channel}: not subscribed`;
  return undefined;
}

/** `best` tries the channel of the person's latest activity first, then email, push, SMS, WhatsApp, web push. */
function bestOrder(profile: Profile): MessageChannel[] {
  const base: MessageChannel[] = ['email', 'push', 'sms', 'whatsapp', 'webpush'];
  const first: MessageChannel | undefined =
    profile.lastChannel === 'ios' || profile.lastChannel === 'android'
      ? 'push'
      : profile.lastChannel === 'web'
        ? 'webpush'
        : undefined;
  return first ? [first, ...base.filter((c) => c !== first)] : base;
}

/**
 * The channels after `chosen` in a send's order (a list, or `best` for this person now): where its
 * timed fallback may go. Channels before it were refused when it was chosen, and are not tried again.
 * @example remainingChannels(['email', 'sms'], profile, 'email') // ['sms']
 */
export function remainingChannels(
  choice: ChannelChoice,
  profile: Profile,
  chosen: MessageChannel,
): MessageChannel[] {
  const order = choice === 'best' ? bestOrder(profile) : typeof choice === 'string' ? [choice] : [...choice];
  const i = order.indexOf(chosen);
  return i < 0 ? order.filter((c) => c !== chosen) : order.slice(i + 1);
}

/**
 * Chooses the channel of a send at send time: the named one, the first usable of a list, or `best`
 * (reachable, consented, not suppressed, then the person's most recent activity channel). The reason
 * is recorded on the delivery.
 * @example chooseChannel({ choice: ['push', 'email'], profile, category: 'marketing', ... })
 */
export function chooseChannel(input: ChoiceInput): ChannelDecision {
  const order =
    input.choice === 'best'
      ? bestOrder(input.profile)
      : typeof input.choice === 'string'
        ? [input.choice]
        : input.choice;
  const refused: string[] = [];
  for (const channel of order) {
    const why = blocker(input, channel);
    if (why !== undefined) {
      refused.push(why);
      continue;
    }
    const address = addressOf(input.profile, channel)!;
    const how =
      input.choice === 'best'
        ? `best: latest activity ${input.profile.lastChannel}`
        : typeof input.choice === 'string'
          ? 'named'
          : 'first usable of the list';
    const reason = refused.length > 0 ? `${how} (${refused.join('; ')})` : how;
    return { ok: true, channel, address, reason };
  }
  return { ok: false, reason: refused.join('; ') || 'no channel' };
}
