import type { WebPushSubscription } from '../../channels/channel.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import { channelAddresses, type Profile, type PushToken } from '../../core/profiles/profile.js';
import type { ChannelChoice, SendCategory } from '../../store/store.js';
import { mayContact, type ConsentPolicy } from './consent-policy.js';
import { channelOfLane, laneKeysFor, type LaneKey } from './lane-key.js';

/** Where a message can go on one channel: the address as the provider takes it, and its key for suppressions. */
export interface ChannelAddress {
  readonly to: string | WebPushSubscription | null;
  /** The address as written in the suppression list (`ayse@example.com`, `+90…`, a token). */
  readonly key: string;
  /** Mobile push: the token's platform, which picks the provider (APNs or FCM). */
  readonly platform?: PushToken['platform'];
}

function parseSubscription(token: string): WebPushSubscription | undefined {
  try {
    const s = JSON.parse(token) as Partial<WebPushSubscription>;
    return typeof s.endpoint === 'string' && s.keys ? (s as WebPushSubscription) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The person's addresses on `channel`, newest first: one per device for mobile push, at most one on
 * the other channels (web push: the newest subscription).
 * @example addressesOf(profile, 'push') // [{ to: 'fMEP…', key: 'fMEP…', platform: 'android' }, …]
 */
export function addressesOf(profile: Profile, channel: MessageChannel): ChannelAddress[] {
  const a = channelAddresses(profile);
  const newestFirst = (web: boolean) =>
    [...profile.pushTokens]
      .filter((t) => (t.platform === 'web') === web)
      .sort((x, y) => y.updatedAt - x.updatedAt);
  switch (channel) {
    case 'email':
      return a.email === undefined ? [] : [{ to: a.email, key: a.email }];
    case 'sms':
    case 'whatsapp':
      return a.phone === undefined ? [] : [{ to: a.phone, key: a.phone }];
    case 'push':
      return newestFirst(false).map((t) => ({ to: t.token, key: t.token, platform: t.platform }));
    case 'webpush': {
      const t = newestFirst(true)[0];
      const s = t && parseSubscription(t.token);
      return s ? [{ to: s, key: s.endpoint }] : [];
    }
    case 'inapp':
      return [{ to: profile.id, key: profile.id }];
    case 'webhook':
      return [{ to: null, key: 'webhook' }];
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
  /** The lanes that have a provider: channels, and for mobile push the token platforms served. */
  readonly available: ReadonlySet<LaneKey>;
}

export type ChannelDecision =
  | {
      readonly ok: true;
      readonly channel: MessageChannel;
      readonly address: ChannelAddress;
      readonly reason: string;
    }
  | { readonly ok: false; readonly reason: string };

/** Where `channel` reaches the person, with a note when it is not their newest address; or why it cannot be used. */
type Reach =
  | { readonly ok: true; readonly address: ChannelAddress; readonly note?: string }
  | { readonly ok: false; readonly why: string };

/**
 * The address a send on `channel` goes to: the newest one that a provider serves (for mobile push,
 * one whose platform has a lane), then checked against suppressions and consent.
 */
function reach(input: ChoiceInput, channel: MessageChannel): Reach {
  if (![...input.available].some((k) => channelOfLane(k) === channel))
    return { ok: false, why: `${channel}: no provider` };
  const addresses = addressesOf(input.profile, channel);
  if (addresses.length === 0) return { ok: false, why: `${channel}: no address` };
  const served = (a: ChannelAddress) => laneKeysFor(channel, a.platform).some((k) => input.available.has(k));
  const address = addresses.find(served);
  const unserved = [...new Set(addresses.filter((a) => !served(a)).map((a) => a.platform))];
  if (!address) return { ok: false, why: `${channel}: no provider for ${unserved.join(' or ')} tokens` };
  if (input.suppressed.has(`${channel}:${address.key}`))
    return { ok: false, why: `${channel}: address suppressed` };
  const target = { channel, topic: input.topic, category: input.category };
  if (!mayContact(input.subscriptions, target, input.policy))
    return { ok: false, why: `${channel}: not subscribed` };
  if (address === addresses[0]) return { ok: true, address };
  const note = `${channel}: no provider for ${unserved.join(' or ')} tokens, ${address.platform} token used`;
  return { ok: true, address, note };
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
    const r = reach(input, channel);
    if (!r.ok) {
      refused.push(r.why);
      continue;
    }
    if (r.note !== undefined) refused.push(r.note);
    const how =
      input.choice === 'best'
        ? `best: latest activity ${input.profile.lastChannel}`
        : typeof input.choice === 'string'
          ? 'named'
          : 'first usable of the list';
    const reason = refused.length > 0 ? `${how} (${refused.join('; ')})` : how;
    return { ok: true, channel, address: r.address, reason };
  }
  return { ok: false, reason: refused.join('; ') || 'no channel' };
}
