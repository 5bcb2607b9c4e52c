import type { InboundMessage } from '../messages/inbound-message.js';
import { toE164 } from './phone.js';
import { normalizeEmail } from './traits.js';

/**
 * The kinds of identity a profile can own. Each identity (kind + value) belongs to one profile at a time.
 * `user_id` and `anonymous_id` come from the Segment spec; `email` and `phone` from traits; `device_token`
 * from `context.device.token`.
 */
export type IdentityKind = 'user_id' | 'anonymous_id' | 'email' | 'phone' | 'device_token';
export const IDENTITY_KINDS: readonly IdentityKind[] = [
  'user_id',
  'anonymous_id',
  'email',
  'phone',
  'device_token',
];

/** A map key for one identity: `user_id:42`. */
export type IdentityKey = `${IdentityKind}:${string}`;
export const identityKey = (kind: IdentityKind, value: string): IdentityKey => `${kind}:${value}`;

export function splitIdentityKey(key: IdentityKey): { kind: IdentityKind; value: string } {
  const i = key.indexOf(':');
  return { kind: key.slice(0, i) as IdentityKind, value: key.slice(i + 1) };
}

/** The person's traits carried by a message: `traits` of identify, and `context.traits` of any call. */
export function userTraitsOf(message: InboundMessage): Record<string, unknown> {
  const contextTraits = (message.context?.traits ?? undefined) as Record<string, unknown> | undefined;
  const own = message.type === 'identify' ? message.traits : undefined;
  if (!contextTraits) return own ?? {};
  return own ? { ...contextTraits, ...own } : contextTraits;
}

export function deviceTokenOf(
  message: InboundMessage,
): { token: string; type?: string; appId?: string } | undefined {
  const device = message.context?.device as Record<string, unknown> | undefined;
  if (!device || typeof device.token !== 'string' || device.token.length === 0) return undefined;
  const app = message.context?.app as Record<string, unknown> | undefined;
  return {
    token: device.token,
    ...(typeof device.type === 'string' ? { type: device.type } : {}),
    ...(typeof app?.namespace === 'string' ? { appId: app.namespace } : {}),
  };
}

/** Every identity a message could read or claim, so that a batch can load them all in one go. */
export function identityKeysOf(message: InboundMessage): IdentityKey[] {
  const keys: IdentityKey[] = [];
  if (message.userId !== undefined) keys.push(identityKey('user_id', message.userId));
  if (message.anonymousId !== undefined) keys.push(identityKey('anonymous_id', message.anonymousId));
  if (message.type === 'alias' && message.previousId !== undefined) {
    keys.push(identityKey('user_id', message.previousId), identityKey('anonymous_id', message.previousId));
  }
  const traits = userTraitsOf(message);
  const email = normalizeEmail(traits.email);
  if (email) keys.push(identityKey('email', email));
  const phone = phoneOf(traits);
  if (phone) keys.push(identityKey('phone', phone));
  const device = deviceTokenOf(message);
  if (device) keys.push(identityKey('device_token', device.token));
  return keys;
}

export function phoneOf(traits: Readonly<Record<string, unknown>>): string | undefined {
  const raw = traits.phone ?? traits.phone_number ?? traits.phoneNumber;
  if (typeof raw !== 'string' && typeof raw !== 'number') return undefined;
  return toE164(String(raw), typeof traits.country === 'string' ? traits.country : undefined);
}
