import { accepted, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, parseJson, sendHttp } from '../http/send-http.js';
import { listUnsubscribeHeaders } from './email-headers.js';

export interface SendGridEmailOptions {
  readonly apiKey: string;
  /** Default `https://api.sendgrid.com`. */
  readonly baseUrl?: string;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

const mailbox = (m: { address: string; name?: string }) =>
  m.name ? { email: m.address, name: m.name } : { email: m.address };

/**
 * Email through SendGrid v3 Mail Send (www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send):
 * `POST /v3/mail/send`, `Authorization: Bearer <API key>`, a body of `personalizations[].to`, `from`,
 * `subject`, `content[]` (text/plain before text/html, as the API requires) and `headers`. Success is
 * `202 Accepted` with the id in the `X-Message-Id` header. The idempotency key travels in
 * `custom_args`, so event webhooks carry it back.
 *
 * @example createSendGridEmail({ apiKey: process.env.SENDGRID_API_KEY })
 */
export function createSendGridEmail(options: SendGridEmailOptions): ChannelProvider<'email'> {
  const now = options.now ?? Date.now;
  const url = `${options.baseUrl ?? 'https://api.sendgrid.com'}/v3/mail/send`;
  return {
    channel: 'email',
    name: 'sendgrid',
    async send(message) {
      const c = message.content;
      const headers = {
        ...c.headers,
        ...(c.listUnsubscribe ? listUnsubscribeHeaders(c.listUnsubscribe) : {}),
      };
      const body = JSON.stringify({
        personalizations: [
          { to: [{ email: message.to }], custom_args: { orkestra_key: message.idempotencyKey } },
        ],
        from: mailbox(c.from),
        ...(c.replyTo ? { reply_to: mailbox(c.replyTo) } : {}),
        subject: c.subject,
        content: [
          { type: 'text/plain', value: c.text },
          { type: 'text/html', value: c.html },
        ],
        ...(Object.keys(headers).length > 0 ? { headers } : {}),
      });
      const r = await sendHttp({
        url,
        headers: { authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' },
        body,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork('sendgrid', r);
      if (r.response.status === 202 || r.response.status === 200)
        return accepted(r.response.headers.get('x-message-id') ?? message.idempotencyKey);
      const json = parseJson(r.response.text) as { errors?: { message?: string }[] } | undefined;
      const detail = json?.errors?.map((e) => e.message).join('; ');
      return failureFromResponse('sendgrid', r.response, { now, ...(detail ? { detail } : {}) });
    },
  };
}
