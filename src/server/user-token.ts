import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The user token a brand's backend hands to its app so the app may read one person's inbox: the
 * HMAC-SHA256 (RFC 2104) of the `userId`, keyed with the inbox secret as UTF-8 text, in lowercase hex.
 * The write key is public (it ships in every web page); this token is what proves "I am this user".
 * @example userTokenFor('s3cret', 'ayse'); // '9f…' (64 hex digits)
 */
export function userTokenFor(secret: string, userId: string): string {
  return createHmac('sha256', secret).update(userId, 'utf8').digest('hex');
}

/**
 * Whether `token` is the user token of `userId`, compared in constant time so that timing does not
 * leak how many leading digits were right.
 * @example verifyUserToken(secret, 'ayse', request.headers['x-orkestra-user-token']); // true | false
 */
export function verifyUserToken(secret: string, userId: string, token: string | undefined): boolean {
  if (token === undefined) return false;
  const expected = Buffer.from(userTokenFor(secret, userId), 'utf8');
  const given = Buffer.from(token, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
