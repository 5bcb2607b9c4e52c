import { createHash } from 'node:crypto';
import { connect, constants, type ClientHttp2Session } from 'node:http2';
import { importPKCS8, SignJWT } from 'jose';
import { parseRetryAfter } from '../../core/channels/retry-after.js';
import {
  accepted,
  permanent,
  retryable,
  type ChannelProvider,
  type Clock,
  type SendOutcome,
} from '../channel.js';
import { isRetryableStatus } from '../http/send-http.js';

export interface ApnsPushOptions {
  /** The .p8 signing key (PKCS#8 PEM), its Key ID and the Team ID. */
  readonly signingKey: string;
  readonly keyId: string;
  readonly teamId: string;
  /** The app's bundle id: the `apns-topic`. */
  readonly topic: string;
  /** Default `https://api.push.apple.com` (sandbox: `https://api.sandbox.push.apple.com`). */
  readonly baseUrl?: string;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

/** Apple: refresh the provider token no more than once every 20 minutes, and within the hour. */
const TOKEN_TTL_MS = 50 * 60 * 1000;
/** Reasons that mean the device token is dead (Apple, "Handling notification responses from APNs"). */
const DEAD_TOKEN = new Set(['BadDeviceToken', 'Unregistered']);

/** A UUID (the `apns-id` format) derived from the idempotency key, so a retry has the same id. */
export function apnsIdFor(key: string): string {
  const h = createHash('sha256').update(key).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

interface ApnsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

function outcome(answer: ApnsAnswer, now: Clock, onAuthError: () => void): SendOutcome {
  const apnsId = answer.headers['apns-id'];
  if (answer.status === 200) return accepted(typeof apnsId === 'string' ? apnsId : '');
  let reasonCode = '';
  try {
    reasonCode = (JSON.parse(answer.body) as { reason?: string }).reason ?? '';
  } catch {
    // not JSON: keep the status alone
  }
  const reason = `apns ${answer.status}${reasonCode ? `: ${reasonCode}` : ''}`;
  const httpStatus = answer.status;
  if (answer.status === 410 || DEAD_TOKEN.has(reasonCode))
    return permanent(reason, { invalidToken: true, httpStatus });
  if (reasonCode === 'ExpiredProviderToken' || reasonCode === 'InvalidProviderToken') {
    onAuthError();
    return retryable(reason, { httpStatus });
  }
  if (isRetryableStatus(answer.status)) {
    const after = answer.headers['retry-after'];
    const retryAfterMs = parseRetryAfter(typeof after === 'string' ? after : undefined, now());
    return retryable(reason, retryAfterMs === undefined ? { httpStatus } : { retryAfterMs, httpStatus });
  }
  return permanent(reason, { httpStatus });
}

/**
 * Mobile push through APNs (developer.apple.com/documentation/usernotifications/sending-notification-requests-to-apns):
 * HTTP/2 `POST /3/device/{token}` with `authorization: bearer <ES256 JWT {iss: team, iat}, kid: key id>`,
 * `apns-topic`, `apns-push-type: alert`, `apns-id`. 410 Unregistered / 400 BadDeviceToken mark the token
 * dead. One HTTP/2 session is kept and reopened when it closes.
 *
 * @example createApnsPush({ signingKey: p8, keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', topic: 'com.shop.app' })
 */
export function createApnsPush(options: ApnsPushOptions): ChannelProvider<'push'> {
  const now = options.now ?? Date.now;
  const key = importPKCS8(options.signingKey, 'ES256');
  let token: { jwt: string; at: number } | undefined;
  let session: ClientHttp2Session | undefined;

  const providerToken = async () => {
    if (token && now() - token.at < TOKEN_TTL_MS) return token.jwt;
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: options.keyId })
      .setIssuer(options.teamId)
      .setIssuedAt(Math.floor(now() / 1000))
      .sign(await key);
    token = { jwt, at: now() };
    return jwt;
  };
  const open = () => {
    if (session && !session.closed && !session.destroyed) return session;
    const s = connect(options.baseUrl ?? 'https://api.push.apple.com');
    s.on('error', () => s.destroy());
    s.on('goaway', () => s.close());
    session = s;
    return s;
  };
  /** Rejects with `inDoubt` set once the stream was open (its headers may have reached Apple). */
  const request = (path: string, headers: Record<string, string>, body: string) =>
    new Promise<ApnsAnswer>((resolve, reject) => {
      let opened = false;
      const fail = (e: Error) => reject(Object.assign(e, { inDoubt: opened }));
      const req = open().request({
        [constants.HTTP2_HEADER_METHOD]: 'POST',
        [constants.HTTP2_HEADER_PATH]: path,
        ...headers,
      });
      req.setTimeout(options.timeoutMs ?? 15_000, () => req.close(constants.NGHTTP2_CANCEL));
      let status = 0;
      let answerHeaders: ApnsAnswer['headers'] = {};
      const chunks: Buffer[] = [];
      req.on('ready', () => (opened = true));
      req.on('response', (h) => {
        status = Number(h[constants.HTTP2_HEADER_STATUS]);
        answerHeaders = h;
      });
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () =>
        status
          ? resolve({ status, headers: answerHeaders, body: Buffer.concat(chunks).toString('utf8') })
          : fail(new Error('stream closed without a response')),
      );
      req.on('error', fail);
      // A cancelled stream (the timeout) ends with `close` alone; after `end` this changes nothing.
      req.on('close', () => fail(new Error('stream closed without a response')));
      req.end(body);
    });

  return {
    channel: 'push',
    name: 'apns',
    async send(message) {
      const c = message.content;
      const payload = {
        aps: {
          alert: { title: c.title, body: c.body },
          sound: 'default',
          ...(c.image ? { 'mutable-content': 1 } : {}),
        },
        ...c.data,
        ...(c.deepLink ? { deep_link: c.deepLink } : {}),
        ...(c.image ? { image: c.image } : {}),
      };
      try {
        const answer = await request(
          `/3/device/${encodeURIComponent(message.to)}`,
          {
            authorization: `bearer ${await providerToken()}`,
            'apns-topic': options.topic,
            'apns-push-type': 'alert',
            'apns-priority': '10',
            'apns-id': apnsIdFor(message.idempotencyKey),
            'content-type': 'application/json',
          },
          JSON.stringify(payload),
        );
        return outcome(answer, now, () => (token = undefined));
      } catch (e) {
        const inDoubt = (e as { inDoubt?: boolean }).inDoubt === true;
        return retryable(`apns unreachable: ${(e as Error).message}`, inDoubt ? { inDoubt } : {});
      }
    },
    async close() {
      const s = session;
      session = undefined;
      if (s && !s.closed) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
