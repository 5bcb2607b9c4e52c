import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Checks `X-Twilio-Signature` (www.twilio.com/docs/usage/webhooks/webhooks-security): base64 of
 * HMAC-SHA1, keyed with the auth token, over the full URL followed by every POST parameter name and
 * value, sorted by name.
 * @example isTwilioSignatureValid(token, 'https://crm.example/webhooks/twilio/inbound', params, header)
 */
export function isTwilioSignatureValid(
  authToken: string,
  url: string,
  params: URLSearchParams,
  signature: string | undefined,
): boolean {
  if (!signature) return false;
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name)) data += name + value;
  const expected = createHmac('sha1', authToken).update(data, 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Signs like Twilio does, for tests and local tools. */
export function signTwilioRequest(authToken: string, url: string, params: URLSearchParams): string {
  const names = [...new Set(params.keys())].sort();
  let data = url;
  for (const name of names) for (const value of params.getAll(name)) data += name + value;
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}
