import type { RenderedEmail } from '../../core/channels/rendered-message.js';
import type { OutboundMessage } from '../channel.js';

/** A fixed clock for provider tests: 2024-01-01T00:00:00Z. */
export const FIXED_NOW = Date.parse('2024-01-01T00:00:00Z');
export const fixedClock = (): number => FIXED_NOW;

export const sampleEmail: RenderedEmail = {
  channel: 'email',
  subject: 'Sepetin seni bekliyor',
  html: '<p>Merhaba Çağla</p>',
  text: 'Merhaba Çağla',
  from: { address: 'news@shop.example', name: 'Şık Mağaza' },
  replyTo: { address: 'help@shop.example' },
  listUnsubscribe: { url: 'https://shop.example/u/abc', mailto: 'unsub@shop.example' },
};

export const emailMessage = (to = 'ayse@example.com'): OutboundMessage<'email'> => ({
  idempotencyKey: 'run1:node2:email',
  channel: 'email',
  to,
  content: sampleEmail,
});
