import { accepted, type ChannelProvider, type Clock } from '../channel.js';
import { signSigV4, type AwsCredentials } from '../http/aws-sigv4.js';
import { failureFromNetwork, failureFromResponse, parseJson, sendHttp } from '../http/send-http.js';
import { formatMailbox, listUnsubscribeHeaders } from './email-headers.js';

export interface SesEmailOptions {
  readonly region: string;
  readonly credentials: AwsCredentials;
  /** Default `https://email.{region}.amazonaws.com`. */
  readonly baseUrl?: string;
  readonly configurationSetName?: string;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

/** SES error types worth a retry even when the status is 4xx. */
const THROTTLED = /TooManyRequests|Throttling/i;

/**
 * Email through Amazon SES API v2 `SendEmail` (docs.aws.amazon.com/ses/latest/APIReference-V2/
 * API_SendEmail.html): `POST /v2/email/outbound-emails`, JSON, SigV4 with service `ses`. A Simple
 * message carries subject, HTML and text parts and extra headers (List-Unsubscribe); the answer is
 * `{ "MessageId": ... }`.
 *
 * @example createSesEmail({ region: 'eu-west-1', credentials: { accessKeyId, secretAccessKey } })
 */
export function createSesEmail(options: SesEmailOptions): ChannelProvider<'email'> {
  const now = options.now ?? Date.now;
  const url = `${options.baseUrl ?? `https://email.${options.region}.amazonaws.com`}/v2/email/outbound-emails`;
  return {
    channel: 'email',
    name: 'ses',
    async send(message) {
      const c = message.content;
      const headers = {
        ...c.headers,
        ...(c.listUnsubscribe ? listUnsubscribeHeaders(c.listUnsubscribe) : {}),
      };
      const body = JSON.stringify({
        FromEmailAddress: formatMailbox(c.from),
        Destination: { ToAddresses: [message.to] },
        ...(c.replyTo ? { ReplyToAddresses: [formatMailbox(c.replyTo)] } : {}),
        Content: {
          Simple: {
            Subject: { Data: c.subject, Charset: 'UTF-8' },
            Body: { Html: { Data: c.html, Charset: 'UTF-8' }, Text: { Data: c.text, Charset: 'UTF-8' } },
            ...(Object.keys(headers).length > 0
              ? { Headers: Object.entries(headers).map(([Name, Value]) => ({ Name, Value })) }
              : {}),
          },
        },
        ...(options.configurationSetName ? { ConfigurationSetName: options.configurationSetName } : {}),
      });
      const request = { method: 'POST', url, headers: { 'content-type': 'application/json' }, body };
      const signed = signSigV4(request, {
        credentials: options.credentials,
        region: options.region,
        service: 'ses',
        now: now(),
      });
      const r = await sendHttp({
        ...request,
        headers: signed,
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork('ses', r);
      const json = parseJson(r.response.text) as
        { MessageId?: string; message?: string; __type?: string } | undefined;
      if (r.response.status === 200 && json?.MessageId) return accepted(json.MessageId);
      const type = r.response.headers.get('x-amzn-errortype') ?? json?.__type ?? '';
      if (THROTTLED.test(type))
        return failureFromResponse(
          'ses',
          { ...r.response, status: 429 },
          { now, detail: `${type} ${json?.message ?? ''}`.trim() },
        );
      return failureFromResponse('ses', r.response, {
        now,
        ...(json?.message ? { detail: `${type} ${json.message}`.trim() } : {}),
      });
    },
  };
}
