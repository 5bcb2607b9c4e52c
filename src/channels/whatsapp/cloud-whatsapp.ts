import { accepted, permanent, retryable, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, parseJson, sendHttp } from '../http/send-http.js';

export interface CloudWhatsAppOptions {
  readonly accessToken: string;
  readonly phoneNumberId: string;
  /** Graph API version, e.g. `v21.0`. */
  readonly apiVersion?: string;
  /** Default `https://graph.facebook.com`. */
  readonly baseUrl?: string;
  readonly now?: Clock;
  readonly timeoutMs?: number;
}

/** Graph API error codes that clear with time: rate limits (4, 80007, 130429, 131048, 131056). */
const THROTTLED = new Set([4, 80007, 130429, 131048, 131056]);
/** Outside the 24-hour customer service window: free text is refused, only templates go. */
const WINDOW_CLOSED = 131047;

/**
 * WhatsApp through the Cloud API (developers.facebook.com/docs/whatsapp/cloud-api/reference/messages):
 * `POST /{version}/{phone-number-id}/messages`, bearer token, `messaging_product: "whatsapp"`, and a
 * `template` (name, `language.code`, body parameters) or `text` message. The answer's `messages[0].id`
 * (a `wamid`) is the message id.
 *
 * @example createCloudWhatsApp({ accessToken, phoneNumberId: '1055...', apiVersion: 'v21.0' })
 */
export function createCloudWhatsApp(options: CloudWhatsAppOptions): ChannelProvider<'whatsapp'> {
  const now = options.now ?? Date.now;
  const url = `${options.baseUrl ?? 'https://graph.facebook.com'}/${options.apiVersion ?? 'v21.0'}/${encodeURIComponent(options.phoneNumberId)}/messages`;
  return {
    channel: 'whatsapp',
    name: 'cloud-api',
    async send(message) {
      const c = message.content;
      const content =
        c.type === 'template'
          ? {
              type: 'template',
              template: {
                name: c.name,
                language: { code: c.language },
                ...(c.parameters.length > 0
                  ? {
                      components: [
                        { type: 'body', parameters: c.parameters.map((text) => ({ type: 'text', text })) },
                      ],
                    }
                  : {}),
              },
            }
          : { type: 'text', text: { body: c.text, preview_url: c.previewUrl ?? false } };
      const r = await sendHttp({
        url,
        headers: { authorization: `Bearer ${options.accessToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          messaging_product: 'whatsapp',
          recipient_type: 'individual',
          to: message.to.replace(/^\+/, ''),
          ...content,
        }),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork('whatsapp', r);
      const json = parseJson(r.response.text) as
        { messages?: { id?: string }[]; error?: { code?: number; message?: string } } | undefined;
      const id = json?.messages?.[0]?.id;
      if (r.response.status === 200 && id) return accepted(id);
      const code = json?.error?.code;
      const reason = `whatsapp ${r.response.status}: ${code ?? ''} ${json?.error?.message ?? ''}`.trim();
      if (code !== undefined && THROTTLED.has(code))
        return retryable(reason, { httpStatus: r.response.status });
      if (code === WINDOW_CLOSED)
        return permanent(`${reason} (send a template instead)`, { httpStatus: r.response.status });
      return failureFromResponse('whatsapp', r.response, {
        now,
        ...(json?.error ? { detail: `${code ?? ''} ${json.error.message ?? ''}`.trim() } : {}),
      });
    },
  };
}
