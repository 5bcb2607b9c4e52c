import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { trackingSettingsSchema, type EmailTracker } from '../engine/dispatch/email-tracker.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

/** The smallest transparent GIF (GIF89a, 1×1, one transparent colour): 43 bytes. */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const NO_STORE = { 'cache-control': 'no-store, no-cache, must-revalidate, private', pragma: 'no-cache' };

/**
 * Email tracking: the open pixel (`GET /t/o/:token.gif`), click redirects (`GET /t/c/:token`; the
 * target is inside the signed token, so the redirect cannot be pointed elsewhere), and the admin API
 * for per-journey tracking settings.
 */
export function registerTrackingRoutes(app: FastifyInstance, deps: { tracker: EmailTracker }): void {
  // Wildcards, not `:token`: the router refuses parameters longer than 100 characters with a 414.
  const tokenParams = z.object({ '*': z.string().min(10).max(4000) });

  // A bad token still gets the image: a broken picture in someone's mail helps nobody.
  app.get('/t/o/*', { schema: { hide: true } }, async (request, reply) => {
    const token = tokenParams.parse(request.params)['*'];
    if (token.endsWith('.gif')) await deps.tracker.open(token.slice(0, -4));
    void reply.status(200).headers({ ...NO_STORE, 'content-type': 'image/gif' });
    return reply.send(PIXEL);
  });

  app.get('/t/c/*', { schema: { hide: true } }, async (request, reply) => {
    const token = tokenParams.parse(request.params)['*'];
    const target = await deps.tracker.click(token);
    if (!target.ok) throw new HttpError('not_found', 'this link is not valid');
    void reply.headers(NO_STORE);
    return reply.redirect(target.value, 302);
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/tracking',
    summary: 'Email tracking settings per journey (templates carry their own in `tracking`)',
    tags: ['tracking'],
    security: 'admin',
    handler: async () => deps.tracker.reload(),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/tracking',
    summary: 'Replace the per-journey email tracking settings (opens, clicks, UTM parameters)',
    tags: ['tracking'],
    security: 'admin',
    body: trackingSettingsSchema,
    handler: async ({ body }) => {
      await deps.tracker.save(body);
      return body;
    },
  });
}
