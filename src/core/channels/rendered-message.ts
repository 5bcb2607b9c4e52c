import type { SmsInfo } from './sms-encoding.js';
import type { Mailbox, MessageChannel } from './variants.js';

/**
 * A message rendered for one recipient, in its channel's own format: what a provider sends. Pure data,
 * so the outbox can store it and a preview can show it.
 */

/** RFC 8058 one-click unsubscribe targets, set by the dispatcher (signed links), not by the template. */
export interface ListUnsubscribe {
  /** HTTPS URL that accepts `POST List-Unsubscribe=One-Click`. */
  readonly url: string;
  readonly mailto?: string;
}

export interface RenderedEmail {
  readonly channel: 'email';
  readonly subject: string;
  readonly html: string;
  /** The text part: the template's own, or generated from the HTML. */
  readonly text: string;
  readonly from: Mailbox;
  readonly replyTo?: Mailbox;
  readonly listUnsubscribe?: ListUnsubscribe;
  /** Extra headers (e.g. a feedback id); names as written. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RenderedSms {
  readonly channel: 'sms';
  readonly body: string;
  readonly info: SmsInfo;
}

export interface RenderedPush {
  readonly channel: 'push';
  readonly title: string;
  readonly body: string;
  readonly image?: string;
  readonly deepLink?: string;
  readonly data?: Readonly<Record<string, string>>;
}

export interface RenderedWebPush {
  readonly channel: 'webpush';
  readonly title: string;
  readonly body: string;
  readonly icon?: string;
  readonly url?: string;
  readonly actions?: readonly { readonly action: string; readonly title: string; readonly icon?: string }[];
}

export type RenderedWhatsApp =
  | {
      readonly channel: 'whatsapp';
      readonly type: 'template';
      readonly name: string;
      readonly language: string;
      readonly parameters: readonly string[];
    }
  | {
      readonly channel: 'whatsapp';
      readonly type: 'text';
      readonly text: string;
      readonly previewUrl?: boolean;
    };

export interface RenderedInApp {
  readonly channel: 'inapp';
  readonly title: string;
  readonly body: string;
  readonly image?: string;
  readonly cta?: { readonly label: string; readonly url: string };
  readonly expiresInHours?: number;
}

export interface RenderedWebhook {
  readonly channel: 'webhook';
  readonly method: 'POST' | 'PUT' | 'PATCH';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Rendered content by channel. */
export interface RenderedByChannel {
  readonly email: RenderedEmail;
  readonly sms: RenderedSms;
  readonly push: RenderedPush;
  readonly webpush: RenderedWebPush;
  readonly whatsapp: RenderedWhatsApp;
  readonly inapp: RenderedInApp;
  readonly webhook: RenderedWebhook;
}

/** The rendered content of channel `C` (all channels when `C` is the whole union). */
export type RenderedContent<C extends MessageChannel = MessageChannel> = RenderedByChannel[C];
