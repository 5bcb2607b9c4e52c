import { accepted, permanent, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, parseJson, sendHttp } from '../http/send-http.js';

export interface TwilioSmsOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** A Twilio number (E.164) or alphanumeric sender id; or use `messagingServiceSid`. */
  readonly from?: string;
  readonly messagingServiceSid?: string;
  readonly statusCallback?: string;
  /** Default `https://api.twilio.com`. */
  readonly baseUrl?: string;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

/** Twilio error codes that mean this recipient will not take the message (never retry). */
const RECIPIENT_ERRORS = new Set([21211, 21408, 21610, 21612, 21614]);

/**
 * SMS through Twilio's Messages resource (www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource):
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded `To`, `From` (or
 * `MessagingServiceSid`), `Body`, HTTP basic auth `AccountSid:AuthToken`; `201` with the `sid`.
 * The idempotency key goes in `I-Twilio-Idempotency-Token`, so Twilio drops a duplicate retry.
 *
 * @example createTwilioSms({ accountSid: 'AC…', authToken, from: '+15005550006' })
 */
export function createTwilioSms(options: TwilioSmsOptions): ChannelProvider<'sms'> {
  if (!options.from && !options.messagingServiceSid)
    throw new TypeError('twilio needs from or messagingServiceSid');
  const now = options.now ?? Date.now;
  const url = `${options.baseUrl ?? 'https://api.twilio.com'}/2010-04-01/Accounts/${encodeURIComponent(options.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${options.accountSid}:${options.authToken}`).toString('base64')}`;
  return {
    channel: 'sms',
    name: 'twilio',
    idempotent: true,
    async send(message) {
      const form = new URLSearchParams({ To: message.to, Body: message.content.body });
      if (options.messagingServiceSid) form.set('MessagingServiceSid', options.messagingServiceSid);
      else if (options.from) form.set('From', options.from);
      if (options.statusCallback) form.set('StatusCallback', options.statusCallback);
      const r = await sendHttp({
        url,
        headers: {
          authorization: auth,
          'content-type': 'application/x-www-form-urlencoded',
          'i-twilio-idempotency-token': message.idempotencyKey,
        },
        body: form.toString(),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork('twilio', r);
      const json = parseJson(r.response.text) as
        { sid?: string; code?: number; message?: string } | undefined;
      if (r.response.status < 300 && json?.sid) return accepted(json.sid);
      const detail = json?.message ? `${json.code ?? ''} ${json.message}`.trim() : undefined;
      if (json?.code !== undefined && RECIPIENT_ERRORS.has(json.code))
        return permanent(`twilio ${r.response.status}: ${detail}`, { httpStatus: r.response.status });
      return failureFromResponse('twilio', r.response, { now, ...(detail ? { detail } : {}) });
    },
  };
}
