import type { ProviderOutcome } from './provider-outcome.js';

/**
 * The outcome of a Twilio status callback (form-encoded `MessageSid`, `MessageStatus`, `To`,
 * `ErrorCode`; www.twilio.com/docs/messaging/guides/track-outbound-message-status). Only final
 * states are outcomes: `delivered`, `undelivered` and `failed`; `queued`, `sent`, ... are not.
 * Error 21610 (the recipient replied STOP) and 21614 (not a mobile number) are permanent.
 * @example parseTwilioStatus(new URLSearchParams('MessageSid=SM1&MessageStatus=delivered&To=%2B1555'))
 */
export function parseTwilioStatus(form: URLSearchParams): ProviderOutcome | undefined {
  const sid = form.get('MessageSid') ?? form.get('SmsSid');
  const status = form.get('MessageStatus') ?? form.get('SmsStatus');
  if (!sid || (status !== 'delivered' && status !== 'undelivered' && status !== 'failed')) return undefined;
  const to = form.get('To');
  const code = form.get('ErrorCode') ?? undefined;
  const channel = to?.startsWith('whatsapp:') ? ('whatsapp' as const) : ('sms' as const);
  return {
    provider: 'twilio',
    channel,
    providerMessageId: sid,
    kind: status === 'delivered' ? 'delivered' : 'failed',
    recipients: to ? [to.replace(/^whatsapp:/, '')] : [],
    permanent: code === '21610' || code === '21614',
    ...(code ? { detail: `${status}: error ${code}` } : status !== 'delivered' ? { detail: status } : {}),
  };
}
