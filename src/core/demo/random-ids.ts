import type { Random } from '../random.js';

const HEX = '0123456789abcdef';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * `length` characters drawn from `alphabet`.
 * @example randomChars(createRandom(1), 8, '01'); // '10110010'
 */
export function randomChars(rng: Random, length: number, alphabet: string): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rng.next() * alphabet.length)] ?? '';
  return out;
}

/**
 * `length` random decimal digits (leading zeros allowed).
 * @example randomDigits(createRandom(1), 4); // '0384'
 */
export const randomDigits = (rng: Random, length: number): string => randomChars(rng, length, '0123456789');

/**
 * A version-4 UUID, the shape analytics.js and the mobile SDKs use for `anonymousId` (RFC 9562 §5.4).
 * @example randomUuid(createRandom(1)); // 'f3a1…-…-4…-[89ab]…-…'
 */
export function randomUuid(rng: Random): string {
  const h = randomChars(rng, 30, HEX);
  const variant = HEX[8 + Math.floor(rng.next() * 4)] ?? '8';
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(12, 15)}-${variant}${h.slice(15, 18)}-${h.slice(18, 30)}`;
}

/**
 * A push token: an APNs device token (64 hex digits) or an FCM registration token (`id:APA91b…`).
 * @example pushToken(createRandom(1), 'ios').length; // 64
 */
export function pushToken(rng: Random, platform: 'ios' | 'android'): string {
  if (platform === 'ios') return randomChars(rng, 64, HEX);
  return `${randomChars(rng, 22, BASE64URL)}:APA91b${randomChars(rng, 134, BASE64URL)}`;
}

/**
 * An address in the documentation ranges (RFC 5737), never a real visitor's.
 * @example documentationIp(createRandom(1)); // '203.0.113.57'
 */
export function documentationIp(rng: Random): string {
  const block = ['192.0.2', '198.51.100', '203.0.113'][Math.floor(rng.next() * 3)] ?? '192.0.2';
  return `${block}.${1 + Math.floor(rng.next() * 254)}`;
}
