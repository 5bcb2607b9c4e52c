import type { FastifyInstance } from 'fastify';
import type { EpochMs } from '../core/brand.js';
import type { MessagingService } from '../engine/dispatch/messaging-service.js';
import { registerConsentRoutes } from './consent-routes.js';
import { registerDeliveryRoutes } from './delivery-routes.js';
import { registerProviderRoutes } from './provider-routes.js';
import { registerTemplateRoutes } from './template-routes.js';
import { registerTrackingRoutes } from './tracking-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';

/**
 * Registers the messaging API: templates, sends and deliveries, providers, consent pages and webhooks.
 * @example registerMessagingRoutes(app, { messaging, clock });
 */
export function registerMessagingRoutes(
  app: FastifyInstance,
  deps: { messaging: MessagingService; clock: () => EpochMs },
): void {
  const { messaging, clock } = deps;
  const { ports, store, key } = messaging.options;
  registerTemplateRoutes(app, { templates: ports.templates, templateService: messaging.templateService });
  registerDeliveryRoutes(app, {
    store,
    outbox: ports.outbox,
    templates: ports.templates,
    clock,
    kick: () => messaging.dispatcher.kick(),
  });
  registerProviderRoutes(app, {
    providers: ports.providers,
    key,
    clock,
    reload: () => messaging.registry.reload(),
  });
  registerConsentRoutes(app, {
    store,
    consentStore: ports.consent,
    consent: messaging.consent,
    twilioAuthToken: async () =>
      (await messaging.registry.secretsOf('twilio'))?.authToken as string | undefined,
    publicUrl: messaging.options.publicUrl,
  });
  registerTrackingRoutes(app, { tracker: messaging.tracker });
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  registerWebhookRoutes(app, {
    store,
    outcomes: messaging.outcomes,
    ses: async () => {
      const c = await messaging.registry.configOf('ses');
      if (!c) return undefined;
      const topicArn = str(c.settings.snsTopicArn);
      const signingCert = str(c.settings.snsSigningCert);
      const password = str(c.secrets.webhookPassword);
      return {
        ...(topicArn ? { topicArn } : {}),
        ...(signingCert ? { signingCert } : {}),
        ...(password ? { password } : {}),
      };
    },
    twilioAuthToken: async () =>
      (await messaging.registry.secretsOf('twilio'))?.authToken as string | undefined,
    sendGridVerificationKey: async () =>
      str((await messaging.registry.configOf('sendgrid'))?.settings.webhookVerificationKey),
    publicUrl: messaging.options.publicUrl,
    clock,
  });
}
