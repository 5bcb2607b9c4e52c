import { createVerify } from 'node:crypto';
import { snsStringToSign, type SnsEnvelope } from '../core/channels/ses-notification.js';

/**
 * Verifies an SNS message's `Signature` (base64 RSA over `snsStringToSign`; SignatureVersion 1 is
 * SHA1, 2 is SHA256; docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html) against
 * a certificate or public key configured beforehand. Orkestra never fetches `SigningCertURL` itself:
 * a request must not make the server reach out to a URL it names.
 * @example isSnsSignatureValid(envelope, pem)
 */
export function isSnsSignatureValid(m: SnsEnvelope, certificatePem: string): boolean {
  if (!m.Signature) return false;
  const algorithm =
    m.SignatureVersion === '2' ? 'RSA-SHA256' : m.SignatureVersion === '1' ? 'RSA-SHA1' : undefined;
  if (!algorithm) return false;
  try {
    return createVerify(algorithm)
      .update(snsStringToSign(m), 'utf8')
      .verify(certificatePem, m.Signature, 'base64');
  } catch {
    return false;
  }
}
