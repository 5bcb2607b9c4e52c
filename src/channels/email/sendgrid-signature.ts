import { createPublicKey, createSign, verify, type KeyObject } from 'node:crypto';
import { sendGridSignedPayload } from '../../core/channels/sendgrid-events.js';

/**
 * The verification key of SendGrid's Signed Event Webhook as the dashboard and the API give it:
 * base64 of the DER `SubjectPublicKeyInfo` of an ECDSA P-256 key (a PEM block is accepted too).
 * Throws when it is not a public key.
 */
export function sendGridVerificationKey(key: string): KeyObject {
  const trimmed = key.trim();
  return trimmed.startsWith('-----BEGIN')
    ? createPublicKey(trimmed)
    : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
}

/**
 * Checks `X-Twilio-Email-Event-Webhook-Signature` (www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features):
 * a base64 DER ECDSA signature, with SHA-256, of `X-Twilio-Email-Event-Webhook-Timestamp` followed by
 * the raw body, verified with the webhook's public key.
 * @example isSendGridSignatureValid(key, request.headers['x-twilio-email-event-webhook-timestamp'], rawBody, signature)
 */
export function isSendGridSignatureValid(
  key: KeyObject,
  timestamp: string | undefined,
  body: string,
  signature: string | undefined,
): boolean {
  if (!timestamp || !signature) return false;
  try {
    return verify(
      'sha256',
      Buffer.from(sendGridSignedPayload(timestamp, body), 'utf8'),
      key,
      Buffer.from(signature, 'base64'),
    );
  } catch {
    return false;
  }
}

/** Signs like SendGrid does (base64 DER ECDSA over timestamp + body), for tests and local tools. */
export function signSendGridEvents(privateKey: KeyObject, timestamp: string, body: string): string {
  return createSign('sha256')
    .update(sendGridSignedPayload(timestamp, body), 'utf8')
    .sign(privateKey, 'base64');
}
