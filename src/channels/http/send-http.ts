import { parseRetryAfter } from '../../core/channels/retry-after.js';
import { permanent, retryable, type Clock, type SendOutcome } from '../channel.js';

/** One HTTP request to a provider API. */
export interface HttpRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  /** Default 15 s; a timeout is a retryable failure. */
  readonly timeoutMs?: number;
}

/** The parts of a response the adapters read. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export type HttpResult =
  | { readonly ok: true; readonly response: HttpResponse }
  | {
      readonly ok: false;
      readonly error: string;
      /** False only when the request cannot have left: no connection was made (refused, DNS, TLS). */
      readonly inDoubt: boolean;
    };

/**
 * Error codes (Node's and undici's) raised before a connection exists, so before any byte of the
 * request was sent. Anything else (a reset, "other side closed", a timeout waiting for the answer)
 * leaves the request in doubt.
 */
const NOT_CONNECTED = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EADDRNOTAVAIL',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_INVALID_URL',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** True for an error code raised before any connection existed (so nothing was sent). */
export const isBeforeConnection = (code: string | undefined): boolean =>
  code !== undefined && NOT_CONNECTED.has(code);

/**
 * Sends a request with `fetch`; network errors and timeouts come back as `{ ok: false }`, never
 * thrown, saying whether the request may have reached the server.
 */
export async function sendHttp(request: HttpRequest): Promise<HttpResult> {
  try {
    const res = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: request.headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs ?? 15_000),
    });
    return { ok: true, response: { status: res.status, headers: res.headers, text: await res.text() } };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause?.code;
    return {
      ok: false,
      error: `${(e as Error).name}: ${(e as Error).message}${cause ? ` (${cause})` : ''}`,
      // Without a code, only a timeout can have happened after the request left (fetch's own
      // refusals, such as a blocked port or a bad URL, come before any connection).
      inDoubt: cause !== undefined ? !isBeforeConnection(cause) : (e as Error).name === 'TimeoutError',
    };
  }
}

/** Status codes that mean "try again later" besides 5xx (RFC 9110 §15.5.9 408, RFC 8470 425, RFC 6585 429). */
const RETRYABLE_4XX = new Set([408, 425, 429]);

/** True for statuses a retry can fix: 408, 425, 429 and every 5xx. */
export const isRetryableStatus = (status: number): boolean => status >= 500 || RETRYABLE_4XX.has(status);

/**
 * Maps a non-2xx response to a failure: 429 and 5xx are retryable (after `Retry-After` when given),
 * other 4xx (and 3xx: redirects are not followed) are permanent. `detail` is the provider's own reason.
 */
export function failureFromResponse(
  provider: string,
  response: HttpResponse,
  options: { readonly now: Clock; readonly detail?: string; readonly invalidToken?: boolean },
): SendOutcome {
  const detail = options.detail ?? response.text.slice(0, 300);
  const reason = `${provider} ${response.status}${detail ? `: ${detail}` : ''}`;
  const httpStatus = response.status;
  if (isRetryableStatus(response.status)) {
    const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), options.now());
    return retryable(reason, retryAfterMs === undefined ? { httpStatus } : { retryAfterMs, httpStatus });
  }
  return permanent(reason, options.invalidToken ? { invalidToken: true, httpStatus } : { httpStatus });
}

/** A network failure (refused, reset, timeout): retryable, and in doubt when it may have been sent. */
export const failureFromNetwork = (
  provider: string,
  failure: { readonly error: string; readonly inDoubt: boolean },
): SendOutcome =>
  retryable(`${provider} unreachable: ${failure.error}`, failure.inDoubt ? { inDoubt: true } : {});

/** Parses a JSON body, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
