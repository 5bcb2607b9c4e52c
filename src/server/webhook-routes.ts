import { timingSafeEqual, type KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EpochMs } from '../core/brand.js';
import { parseSesNotification, snsEnvelopeSchema } from '../core/channels/ses-notification.js';
import { sendGridEventsSchema, sendGridOutcomes } from '../core/channels/sendgrid-events.js';
import { parseTwilioStatus } from '../core/channels/twilio-status.js';
import { issuesFromZod } from '../core/messages/validation-error.js';
import type { OutcomeService } from '../engine/dispatch/outcome-service.js';
import type { Store } from '../store/store.js';
import { bodyText, textBodies } from './consent-routes.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';
import { isSendGridSignatureValid, sendGridVerificationKey } from '../channels/email/sendgrid-signature.js';
import { isSnsSignatureValid } from './sns-signature.js';
import { isTwilioSignatureValid } from './twilio-signature.js';

/** How `POST /webhooks/ses` authenticates SNS: Basic credentials in the subscription URL and/or signatures. */
export interface SesWebhookConfig {
  readonly topicArn?: string;
  readonly signingCert?: string;
  readonly password?: string;
}

export interface WebhookRouteDeps {
  readonly store: Pick<Store, 'getSetting' | 'setSetting'>;
  readonly outcomes: OutcomeService;
  readonly ses: () => Promise<SesWebhookConfig | undefined>;
  readonly twilioAuthToken: () => Promise<string | undefined>;
  /** The verification key of SendGrid's Signed Event Webhook (`webhookVerificationKey`), if set. */
  readonly sendGridVerificationKey: () => Promise<string | undefined>;
  readonly publicUrl: () => string;
  readonly clock: () => EpochMs;
}

/** The settings key of SNS subscriptions waiting for an operator to confirm them. */
export const SNS_SUBSCRIPTIONS_KEY = 'ses_sns_subscriptions';

interface PendingSubscription {
  readonly topicArn: string;
  readonly subscribeUrl: string;
  readonly receivedAt: string;
}

const same = (a: string, b: string) =>
  Buffer.byteLength(a) === Buffer.byteLength(b) && timingSafeEqual(Buffer.from(a), Buffer.from(b));

function basicPassword(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (!h?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  return decoded.slice(decoded.indexOf(':') + 1);
}

/** SendGrid posts batches of events; at its busiest a batch is several hundred events. */
const SENDGRID_BODY_LIMIT = 4 * 1024 * 1024;

/**
 * Provider webhooks for outcomes: SES through SNS (`POST /webhooks/ses`), SendGrid's Event Webhook
 * (`POST /webhooks/sendgrid`) and Twilio status callbacks (`POST /webhooks/twilio/status`). SNS
 * subscription confirmations are recorded, not followed: an operator opens the `SubscribeURL` listed
 * by `GET /api/webhooks/ses/subscriptions`.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  void app.register(async (scope) => {
    textBodies(scope);

    // SNS posts JSON as text/plain (docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html).
    scope.post('/webhooks/ses', { schema: { hide: true } }, async (request, reply) => {
      const config = await deps.ses();
      if (!config || (!config.password && !config.signingCert))
        throw new HttpError(
          'forbidden',
          'the SES webhook is not configured (webhookPassword or snsSigningCert)',
        );
      const given = basicPassword(request);
      if (config.password && (given === undefined || !same(given, config.password)))
        throw new HttpError('unauthorized', 'wrong or missing credentials');
      let json: unknown;
      try {
        json = JSON.parse(bodyText(request.body));
      } catch {
        throw HttpError.invalid([{ path: '$', rule: 'json', message: 'not JSON' }]);
      }
      const parsed = snsEnvelopeSchema.safeParse(json);
      if (!parsed.success) throw HttpError.invalid(issuesFromZod(parsed.error, '$', json));
      const m = parsed.data;
      if (config.signingCert && !isSnsSignatureValid(m, config.signingCert))
        throw new HttpError('forbidden', 'invalid SNS signature');
      if (config.topicArn && m.TopicArn !== config.topicArn)
        throw new HttpError('forbidden', `unexpected topic ${m.TopicArn}`);
      if (m.Type === 'SubscriptionConfirmation') {
        await recordSubscription(deps, { topicArn: m.TopicArn, subscribeUrl: m.SubscribeURL ?? '' });
        return reply.status(200).send({ recorded: true });
      }
      if (m.Type !== 'Notification') return reply.status(200).send({ ignored: m.Type });
      let message: unknown;
      try {
        message = JSON.parse(m.Message);
      } catch {
        throw HttpError.invalid([{ path: '$.Message', rule: 'json', message: 'not JSON' }]);
      }
      const outcome = parseSesNotification(message);
      if (!outcome.ok) throw HttpError.invalid([{ path: '$.Message', rule: 'ses', message: outcome.error }]);
      if (!outcome.value) return reply.status(200).send({ ignored: true });
      return reply.status(200).send(await deps.outcomes.apply(outcome.value));
    });

    scope.post('/webhooks/twilio/status', { schema: { hide: true } }, async (request, reply) => {
      const params = new URLSearchParams(bodyText(request.body));
      const token = await deps.twilioAuthToken();
      const signature = request.headers['x-twilio-signature'];
      const url = `${deps.publicUrl()}${request.url}`;
      if (
        !token ||
        !isTwilioSignatureValid(token, url, params, typeof signature === 'string' ? signature : undefined)
      )
        throw new HttpError('forbidden', 'invalid X-Twilio-Signature');
      const outcome = parseTwilioStatus(params);
      if (outcome) await deps.outcomes.apply(outcome);
      return reply.status(204).send();
    });
  });

  let sendGridKey: { readonly text: string; readonly key: KeyObject } | undefined;
  void app.register(async (scope) => {
    // The signature covers the body as sent, so it is read as text and parsed here.
    textBodies(scope, SENDGRID_BODY_LIMIT);
    scope.post('/webhooks/sendgrid', { schema: { hide: true } }, async (request, reply) => {
      const configured = await deps.sendGridVerificationKey();
      if (!configured)
        throw new HttpError(
          'forbidden',
          'the SendGrid webhook is not configured (webhookVerificationKey of the sendgrid provider)',
        );
      // Parsed once per configured key, not per request.
      if (sendGridKey?.text !== configured) {
        try {
          sendGridKey = { text: configured, key: sendGridVerificationKey(configured) };
        } catch {
          throw new HttpError('forbidden', 'the configured webhookVerificationKey is not a public key');
        }
      }
      const key = sendGridKey.key;
      const body = bodyText(request.body);
      const header = (name: string) => {
        const v = request.headers[name];
        return typeof v === 'string' ? v : undefined;
      };
      if (
        !isSendGridSignatureValid(
          key,
          header('x-twilio-email-event-webhook-timestamp'),
          body,
          header('x-twilio-email-event-webhook-signature'),
        )
      )
        throw new HttpError('forbidden', 'invalid X-Twilio-Email-Event-Webhook-Signature');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        throw HttpError.invalid([{ path: '$', rule: 'json', message: 'not JSON' }]);
      }
      const parsed = sendGridEventsSchema.safeParse(json);
      if (!parsed.success) throw HttpError.invalid(issuesFromZod(parsed.error, '$', json));
      // Each outcome is applied once however often SendGrid retries the batch: its event id is
      // derived from the message and the kind, and suppressing an address twice changes nothing.
      let applied = 0;
      const suppressed: string[] = [];
      for (const outcome of sendGridOutcomes(parsed.data)) {
        const result = await deps.outcomes.apply(outcome);
        suppressed.push(...result.suppressed);
        applied++;
      }
      return reply.status(200).send({ received: parsed.data.length, applied, suppressed });
    });
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/webhooks/ses/subscriptions',
    summary: 'SNS subscriptions received, with the SubscribeURL an operator opens to confirm them',
    tags: ['webhooks'],
    security: 'admin',
    handler: async () => ({ items: await pending(deps) }),
  });
}

async function pending(deps: Pick<WebhookRouteDeps, 'store'>): Promise<PendingSubscription[]> {
  const raw = await deps.store.getSetting(SNS_SUBSCRIPTIONS_KEY);
  return raw ? (JSON.parse(raw) as PendingSubscription[]) : [];
}

async function recordSubscription(
  deps: Pick<WebhookRouteDeps, 'store' | 'clock'>,
  s: { topicArn: string; subscribeUrl: string },
) {
  const others = (await pending(deps)).filter((p) => p.topicArn !== s.topicArn);
  const entry = { ...s, receivedAt: new Date(deps.clock()).toISOString() };
  await deps.store.setSetting(SNS_SUBSCRIPTIONS_KEY, JSON.stringify([...others, entry].slice(-20)));
}
