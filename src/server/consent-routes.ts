import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { ProfileId } from '../core/brand.js';
import type { ConsentService, PreferenceItem } from '../engine/dispatch/consent-service.js';
import {
  CONSENT_POLICY_KEY,
  consentPolicySchema,
  loadConsentPolicy,
} from '../engine/dispatch/consent-policy.js';
import type { ConsentStore, Store } from '../store/store.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';
import { isTwilioSignatureValid } from './twilio-signature.js';

export interface ConsentRouteDeps {
  readonly store: Pick<Store, 'getProfile' | 'getSetting' | 'setSetting'>;
  readonly consentStore: ConsentStore;
  readonly consent: ConsentService;
  /** The Twilio auth token that signs inbound webhooks; absent refuses them. */
  readonly twilioAuthToken: () => Promise<string | undefined>;
  readonly publicUrl: () => string;
}

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function page(reply: FastifyReply, status: number, body: string) {
  void reply.status(status).header('content-type', 'text/html; charset=utf-8');
  return reply.send(
    `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
      `<title>Preferences</title></head><body style="font-family:sans-serif;max-width:32rem;margin:2rem auto">${body}</body></html>`,
  );
}

function form(items: readonly PreferenceItem[], note = '') {
  const rows = items
    .map(
      (i) =>
        `<label style="display:block;margin:.5rem 0"><input type="checkbox" name="key" value="${escape(i.key)}"${
          i.subscribed ? ' checked' : ''
        }> ${escape(i.label)}</label>`,
    )
    .join('');
  return `<h1>Your preferences</h1>${note}<form method="post">${rows}<button type="submit">Save</button></form>`;
}

/** The raw body the text parser below produced. */
export const bodyText = (body: unknown): string => (typeof body === 'string' ? body : '');

/** Raw bodies as text, up to `bodyLimit` bytes: forms (RFC 8058 one-click, the preference page, Twilio webhooks) and signed webhooks. */
export function textBodies(scope: FastifyInstance, bodyLimit = 64 * 1024) {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit }, (_req, body, done) => done(null, body));
}

/**
 * Consent: the hosted preference page, RFC 8058 one-click unsubscribe, inbound SMS keywords (Twilio),
 * and the admin API for the consent policy and a profile's consent.
 */
export function registerConsentRoutes(app: FastifyInstance, deps: ConsentRouteDeps): void {
  void app.register(async (scope) => {
    textBodies(scope);
    const tokenParams = z.object({ token: z.string().min(10).max(2000) });

    scope.get('/preferences/:token', { schema: { hide: true } }, async (request, reply) => {
      const { token } = tokenParams.parse(request.params);
      const prefs = await deps.consent.preferences(token);
      if (!prefs.ok) return page(reply, 404, '<p>This link is not valid.</p>');
      return page(reply, 200, form(prefs.value.items));
    });

    scope.post('/preferences/:token', { schema: { hide: true } }, async (request, reply) => {
      const { token } = tokenParams.parse(request.params);
      const checked = new Set(new URLSearchParams(bodyText(request.body)).getAll('key'));
      const saved = await deps.consent.savePreferences(token, checked);
      if (!saved.ok) return page(reply, 404, '<p>This link is not valid.</p>');
      return page(reply, 200, form(saved.value, '<p role="status">Saved.</p>'));
    });

    // RFC 8058 §3.2: the mail client POSTs `List-Unsubscribe=One-Click`; no cookies, no confirmation.
    scope.post('/unsubscribe/:token', { schema: { hide: true } }, async (request, reply) => {
      const { token } = tokenParams.parse(request.params);
      const form = new URLSearchParams(bodyText(request.body));
      if (form.get('List-Unsubscribe') !== 'One-Click')
        throw HttpError.invalid([
          { path: '$.List-Unsubscribe', rule: 'one-click', message: 'expected List-Unsubscribe=One-Click' },
        ]);
      const done = await deps.consent.unsubscribe(token);
      if (!done.ok) throw new HttpError('not_found', done.error);
      return reply.status(200).send({ unsubscribed: done.value.key });
    });

    // A GET must not unsubscribe (RFC 8058 §3.2: link scanners fetch URLs): show the preference page.
    scope.get('/unsubscribe/:token', { schema: { hide: true } }, async (request, reply) => {
      const { token } = tokenParams.parse(request.params);
      const target = deps.consent.unsubscribeTarget(token);
      if (!target) return page(reply, 404, '<p>This link is not valid.</p>');
      return reply.redirect(deps.consent.links(target, 'email').preferences, 303);
    });

    scope.post('/webhooks/twilio/inbound', { schema: { hide: true } }, async (request, reply) => {
      const params = new URLSearchParams(bodyText(request.body));
      const token = await deps.twilioAuthToken();
      const url = `${deps.publicUrl()}${request.url}`;
      const signature = request.headers['x-twilio-signature'];
      if (
        !token ||
        !isTwilioSignatureValid(token, url, params, typeof signature === 'string' ? signature : undefined)
      )
        throw new HttpError('forbidden', 'invalid X-Twilio-Signature');
      const keyword = await deps.consent.inboundSms(
        params.get('From') ?? '',
        params.get('Body') ?? '',
        params.get('MessageSid') ?? '',
      );
      const help =
        keyword === 'help'
          ? '<Message>Reply STOP (DUR) to unsubscribe, START (BASLA) to subscribe again.</Message>'
          : '';
      void reply.header('content-type', 'text/xml');
      return reply.send(`<?xml version="1.0" encoding="UTF-8"?><Response>${help}</Response>`);
    });
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/consent/policy',
    summary: 'Channel defaults (opt-in or opt-out) and subscription topics',
    tags: ['consent'],
    security: 'admin',
    handler: async () => loadConsentPolicy(deps.store),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/consent/policy',
    summary: 'Replace the channel defaults and subscription topics',
    tags: ['consent'],
    security: 'admin',
    body: consentPolicySchema,
    handler: async ({ body }) => {
      await deps.store.setSetting(CONSENT_POLICY_KEY, JSON.stringify(body));
      return body;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles/:id/consent',
    summary: "A profile's subscriptions (its own and those given through Orkestra) and signed links",
    tags: ['consent', 'profiles'],
    security: 'admin',
    params: z.object({ id: z.string().min(1).max(200) }),
    handler: async ({ params }) => {
      const record = await deps.store.getProfile(params.id as ProfileId);
      if (!record) throw new HttpError('not_found', `no profile ${params.id}`);
      const given = await deps.consentStore.consentsOf(record.profile.id);
      return {
        subscriptions: { ...record.profile.subscriptions, ...given },
        links: deps.consent.links(record.profile.id, 'email'),
      };
    },
  });
}
