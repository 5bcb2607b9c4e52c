import type { MessageChannel } from './variants.js';

/**
 * What a provider reported about a message after accepting it: delivered, bounced (permanently or
 * not), marked as spam, or failed. Parsed from a webhook by a pure function per provider.
 */
export interface ProviderOutcome {
  readonly provider: string;
  readonly channel: MessageChannel;
  /** The id the provider gave when it accepted the message (SES `MessageId`, Twilio `MessageSid`). */
  readonly providerMessageId: string;
  readonly kind: 'delivered' | 'bounced' | 'complained' | 'failed';
  /** The addresses concerned (a bounce may name some recipients only). */
  readonly recipients: readonly string[];
  /** A permanent bounce or failure: the address should be suppressed. */
  readonly permanent: boolean;
  readonly detail?: string;
  /** When the provider says it happened (ISO-8601), if it says. */
  readonly timestamp?: string;
}

/** Segment-style event names for outcomes (`Email Delivered`, `Email Marked as Spam`, `SMS Failed`). */
export function outcomeEventName(o: Pick<ProviderOutcome, 'channel' | 'kind'>): string {
  const prefix =
    o.channel === 'email'
      ? 'Email'
      : o.channel === 'sms'
        ? 'SMS'
        : o.channel === 'whatsapp'
          ? 'WhatsApp'
          : 'Push';
  switch (o.kind) {
    case 'delivered':
      return `${prefix} Delivered`;
    case 'bounced':
      return `${prefix} Bounced`;
    case 'complained':
      return `${prefix} Marked as Spam`;
    case 'failed':
      return `${prefix} Failed`;
  }
}
