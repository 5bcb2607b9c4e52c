import type { RenderedContent } from '../../core/channels/rendered-message.js';
import type { DeliveryRecord } from '../../store/store.js';
import type { ConsentService } from './consent-service.js';
import type { Decorate } from './send-job.js';

/**
 * What the dispatcher adds to a rendered message: for marketing email, RFC 8058 one-click
 * unsubscribe (`List-Unsubscribe` + `List-Unsubscribe-Post`, which need an https URL; skipped
 * otherwise, as on a development server).
 * @example const decorate = createDecorator({ consent, publicUrl: () => 'https://crm.example' });
 */
export function createDecorator(deps: { consent: ConsentService; publicUrl: () => string }): Decorate {
  return (content, { delivery: d }) => {
    if (content.channel !== 'email' || d.category !== 'marketing') return content;
    if (!deps.publicUrl().startsWith('https://')) return content;
    const links = deps.consent.links(d.profileId, 'email', d.topic, d.idempotencyKey);
    return { ...content, listUnsubscribe: { url: links.unsubscribe } };
  };
}

/** Liquid `context.links`: the unsubscribe and preference page URLs for this person and message. */
export function createLinkContext(deps: { consent: ConsentService }) {
  return (d: DeliveryRecord, channel: RenderedContent['channel']) => ({
    links: deps.consent.links(d.profileId, channel, d.topic, d.idempotencyKey),
  });
}
