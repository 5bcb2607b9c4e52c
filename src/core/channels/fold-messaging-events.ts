import { MESSAGE_CHANNELS, type MessageChannel } from './variants.js';
import { isInternalMessage, PUSH_TOKEN_INVALIDATED } from '../messages/internal-message.js';
import type { ProfileFold } from '../segments/apply-to-batch.js';
import type { Profile, PushToken } from '../profiles/profile.js';

const TOPIC = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** `email` or `email:newsletter` from an event's `channel` and `topic` properties, if they are valid. */
function consentKey(properties: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const channel = properties?.channel;
  if (typeof channel !== 'string' || !MESSAGE_CHANNELS.includes(channel as MessageChannel)) return undefined;
  const topic = properties?.topic;
  if (topic === undefined || topic === null) return channel;
  return typeof topic === 'string' && TOPIC.test(topic) ? `${channel}:${topic}` : undefined;
}

/** Whether a stored token is the dead one: the token itself, or a web push subscription with that endpoint. */
function isToken(t: PushToken, dead: string): boolean {
  if (t.token === dead) return true;
  if (t.platform !== 'web') return false;
  try {
    return (JSON.parse(t.token) as { endpoint?: unknown }).endpoint === dead;
  } catch {
    return false;
  }
}

/**
 * Folds consent and token events into the profile, in order: `Subscribed` / `Unsubscribed` (Segment
 * names, from the preference page, one-click unsubscribe, SMS keywords or any source) set
 * `subscriptions[channel]` or `subscriptions['channel:topic']`, so `reachable` segment conditions see
 * them; Orkestra's own `Push Token Invalidated` removes a dead push token.
 * @example foldMessagingEvents(profile, [{ ..., message: { type: 'track', event: 'Unsubscribed', properties: { channel: 'email' } } }])
 */
export const foldMessagingEvents: ProfileFold = (profile, events) => {
  let next: Profile = profile;
  for (const { message: m } of events) {
    if (m.type !== 'track') continue;
    if (m.event === 'Subscribed' || m.event === 'Unsubscribed') {
      const key = consentKey(m.properties);
      if (key === undefined) continue;
      next = { ...next, subscriptions: { ...next.subscriptions, [key]: m.event === 'Subscribed' } };
    } else if (m.event === PUSH_TOKEN_INVALIDATED && isInternalMessage(m)) {
      const dead = m.properties?.token;
      if (typeof dead !== 'string' || !next.pushTokens.some((t) => isToken(t, dead))) continue;
      next = { ...next, pushTokens: next.pushTokens.filter((t) => !isToken(t, dead)) };
    }
  }
  return next;
};
