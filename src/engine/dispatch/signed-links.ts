import { createHmac, timingSafeEqual } from 'node:crypto';
import { err, ok, type Result } from '../../core/result.js';

/**
 * Signed link tokens for unsubscribe, preference, open and click links: `<payload>.<mac>`, both
 * base64url; the MAC is HMAC-SHA256 (RFC 2104) truncated to 128 bits, keyed per purpose, so a click
 * token cannot be used to unsubscribe. The payload is readable (no secrets go in it), not forgeable.
 * @example const links = createLinkSigner(key); const t = links.sign('unsubscribe', { p: 'prf_1', c: 'email' });
 */
export interface LinkSigner {
  sign(purpose: LinkPurpose, payload: Readonly<Record<string, unknown>>): string;
  verify<T = Record<string, unknown>>(purpose: LinkPurpose, token: string): Result<T, string>;
}

export type LinkPurpose = 'unsubscribe' | 'preferences' | 'open' | 'click' | 'webhook';

/** Creates a signer from the server's secret key. */
export function createLinkSigner(key: Buffer): LinkSigner {
  const macOf = (purpose: string, body: string) =>
    createHmac('sha256', key).update(`orkestra-link:${purpose}:`).update(body).digest().subarray(0, 16);
  return {
    sign(purpose, payload) {
      const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
      return `${body}.${macOf(purpose, body).toString('base64url')}`;
    },
    verify<T>(purpose: LinkPurpose, token: string): Result<T, string> {
      const [body, mac] = token.split('.');
      if (!body || !mac) return err('malformed link');
      const given = Buffer.from(mac, 'base64url');
      const expected = macOf(purpose, body);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return err('invalid signature');
      try {
        return ok(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T);
      } catch {
        return err('malformed link');
      }
    },
  };
}
