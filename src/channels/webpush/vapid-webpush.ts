import webpush from 'web-push';
import { accepted, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, sendHttp } from '../http/send-http.js';

export interface VapidWebPushOptions {
  /** `mailto:` or `https:` contact for the push service (RFC 8292 §2.1 `sub`). */
  readonly subject: string;
  readonly publicKey: string;
  readonly privateKey: string;
  /** Seconds the push service keeps an undelivered message (RFC 8030 §5.2 `TTL`). Default one day. */
  readonly ttlSeconds?: number;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

/**
 * Web push with VAPID: web-push's `generateRequestDetails` encrypts the payload (RFC 8291, aes128gcm)
 * and signs the VAPID JWT (RFC 8292); we send the request ourselves with fetch, so timeouts and error
 * classes match the other providers. 201 Created with a `Location` is success (RFC 8030 §5); 404/410
 * mean the subscription is gone.
 *
 * @example createVapidWebPush({ subject: 'mailto:ops@shop.example', publicKey, privateKey })
 */
export function createVapidWebPush(options: VapidWebPushOptions): ChannelProvider<'webpush'> {
  const now = options.now ?? Date.now;
  const vapidDetails = {
    subject: options.subject,
    publicKey: options.publicKey,
    privateKey: options.privateKey,
  };
  return {
    channel: 'webpush',
    name: 'vapid',
    async send(message) {
      const { channel: _channel, ...notification } = message.content;
      const details = webpush.generateRequestDetails(
        { endpoint: message.to.endpoint, keys: { ...message.to.keys } },
        JSON.stringify(notification),
        { vapidDetails, TTL: options.ttlSeconds ?? 86_400, contentEncoding: 'aes128gcm', urgency: 'normal' },
      );
      const r = await sendHttp({
        url: details.endpoint,
        method: details.method,
        headers: details.headers,
        body: details.body,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork('webpush', r);
      const { status } = r.response;
      if (status >= 200 && status < 300)
        return accepted(r.response.headers.get('location') ?? message.idempotencyKey);
      return failureFromResponse('webpush', r.response, {
        now,
        invalidToken: status === 404 || status === 410,
      });
    },
  };
}
