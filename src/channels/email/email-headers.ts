import { createHash } from 'node:crypto';
import type { ListUnsubscribe } from '../../core/channels/rendered-message.js';
import type { Mailbox } from '../../core/channels/variants.js';

/**
 * One-click unsubscribe headers (RFC 8058 §3.1 over RFC 2369 §3.2): `List-Unsubscribe` lists the
 * HTTPS URI (and optionally a mailto) in angle brackets, comma-separated; `List-Unsubscribe-Post`
 * says the HTTPS URI takes a POST. RFC 8058 §4 also asks that both be covered by the DKIM signature.
 */
export function listUnsubscribeHeaders(target: ListUnsubscribe): Record<string, string> {
  if (!target.url.startsWith('https://')) throw new TypeError('RFC 8058 needs an https List-Unsubscribe URI');
  const uris = [
    `<${target.url}>`,
    ...(target.mailto ? [`<mailto:${target.mailto.replace(/^mailto:/, '')}>`] : []),
  ];
  return { 'List-Unsubscribe': uris.join(', '), 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
}

/**
 * A mailbox as an RFC 5322 `name-addr`: the display name quoted, or RFC 2047 B-encoded when it is not
 * ASCII (`=?UTF-8?B?...?=`), which is what HTTP APIs such as SES expect in a From string.
 *
 * @example formatMailbox({ address: 'a@x.io', name: 'Çiçek Shop' }) // '=?UTF-8?B?w4dpw6dlayBTaG9w?= <a@x.io>'
 */
export function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name) return mailbox.address;
  const name = /^[\x20-\x7e]*$/.test(mailbox.name)
    ? `"${mailbox.name.replace(/(["\\])/g, '\\$1')}"`
    : `=?UTF-8?B?${Buffer.from(mailbox.name, 'utf8').toString('base64')}?=`;
  return `${name} <${mailbox.address}>`;
}

/** A stable Message-ID for an idempotency key (RFC 5322 §3.6.4), so a resent message is recognisable. */
export function messageIdFor(idempotencyKey: string, domain: string): string {
  return `<${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}@${domain}>`;
}

/** The domain part of an address. */
export const domainOf = (address: string): string => address.slice(address.lastIndexOf('@') + 1);
