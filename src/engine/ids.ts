import { randomBytes } from 'node:crypto';
import type { ProfileId } from '../core/brand.js';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * Profile ids that sort by creation time (48-bit milliseconds, then 64 random bits, Crockford base32),
 * so new profiles land at the end of the primary-key B-tree.
 * @example createProfileId() // 'prf_01hx…'
 */
export function createProfileId(now: number = Date.now()): ProfileId {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(10);
  for (let i = 0; i < 10; i++) out += ALPHABET[bytes[i]! % 32]!;
  return `prf_${out}` as ProfileId;
}
