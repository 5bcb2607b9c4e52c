import { createHash, createHmac } from 'node:crypto';

/**
 * AWS Signature Version 4 (AWS General Reference, "Create a signed AWS API request"): canonical
 * request → string to sign → HMAC chain kDate/kRegion/kService/kSigning → `Authorization` header.
 * Written here (not the AWS SDK) to keep the dependency list short; only what JSON APIs need.
 */

export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** For temporary credentials; sent and signed as `x-amz-security-token`. */
  readonly sessionToken?: string;
}

export interface SigV4Request {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

const sha256Hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 unreserved characters stay, everything else is %XX with upper-case hex (SigV4 UriEncode). */
export const uriEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** `20150830T123600Z` for an epoch-ms time. */
export const amzDate = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

function canonicalQuery(url: URL): string {
  return [...url.searchParams.entries()]
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/**
 * Signs a request and returns the headers to send with it (`host`, `x-amz-date`, optional
 * `x-amz-security-token`, `authorization`) merged over the given ones. Paths are encoded once more per
 * segment, as for every service but S3.
 *
 * @example signSigV4(req, { credentials, region: 'eu-west-1', service: 'ses', now: Date.now() })
 */
export function signSigV4(
  request: SigV4Request,
  options: {
    readonly credentials: AwsCredentials;
    readonly region: string;
    readonly service: string;
    readonly now: number;
  },
): Record<string, string> {
  const url = new URL(request.url);
  const date = amzDate(options.now);
  const day = date.slice(0, 8);
  const { credentials, region, service } = options;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v;
  headers.host = url.host;
  headers['x-amz-date'] = date;
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const canonicalHeaders = names
    .map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const path = url.pathname.split('/').map(uriEncode).join('/') || '/';
  const canonicalRequest = [
    request.method.toUpperCase(),
    path,
    canonicalQuery(url),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const kSigning = hmac(
    hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, day), region), service),
    'aws4_request',
  );
  const signature = createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
