import { importPKCS8, SignJWT } from 'jose';
import type { Clock } from '../channel.js';
import { parseJson, sendHttp } from '../http/send-http.js';

/** The fields of a Google service-account key file that token exchange needs. */
export interface GoogleServiceAccount {
  readonly project_id: string;
  readonly client_email: string;
  readonly private_key: string;
  readonly private_key_id?: string;
  /** Default `https://oauth2.googleapis.com/token`. */
  readonly token_uri?: string;
}

export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';

/**
 * OAuth 2.0 access tokens for a service account (developers.google.com/identity/protocols/oauth2/service-account,
 * "Preparing to make an authorized API call"): a JWT signed locally with RS256 (`iss` the client
 * email, `scope`, `aud` the token URI, one hour), exchanged at the token URI with grant type
 * `urn:ietf:params:oauth:grant-type:jwt-bearer` (RFC 7523). Cached until a minute before expiry.
 */
export function createGoogleAccessToken(
  account: GoogleServiceAccount,
  options: { scope: string; now: Clock },
): { get(): Promise<string>; invalidate(): void } {
  const tokenUri = account.token_uri ?? 'https://oauth2.googleapis.com/token';
  const key = importPKCS8(account.private_key, 'RS256');
  let cached: { token: string; expiresAt: number } | undefined;
  return {
    async get() {
      if (cached && cached.expiresAt > options.now()) return cached.token;
      const iat = Math.floor(options.now() / 1000);
      const assertion = await new SignJWT({ scope: options.scope })
        .setProtectedHeader({
          alg: 'RS256',
          typ: 'JWT',
          ...(account.private_key_id ? { kid: account.private_key_id } : {}),
        })
        .setIssuer(account.client_email)
        .setAudience(tokenUri)
        .setIssuedAt(iat)
        .setExpirationTime(iat + 3600)
        .sign(await key);
      const r = await sendHttp({
        url: tokenUri,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
          assertion,
        }).toString(),
      });
      if (!r.ok) throw new Error(`token exchange failed: ${r.error}`);
      const json = parseJson(r.response.text) as { access_token?: string; expires_in?: number } | undefined;
      if (r.response.status !== 200 || !json?.access_token)
        throw new Error(`token exchange failed: ${r.response.status} ${r.response.text.slice(0, 200)}`);
      cached = {
        token: json.access_token,
        expiresAt: options.now() + ((json.expires_in ?? 3600) - 60) * 1000,
      };
      return cached.token;
    },
    invalidate() {
      cached = undefined;
    },
  };
}
