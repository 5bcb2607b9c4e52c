import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EpochMs, ProfileId } from '../core/brand.js';
import { messageChannelSchema } from '../core/channels/variants.js';
import type { DeliveryRecord, OutboxStore, Store, TemplateStore } from '../store/store.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface DeliveryRouteDeps {
  readonly store: Pick<Store, 'getProfile'>;
  readonly outbox: OutboxStore;
  readonly templates: TemplateStore;
  readonly clock: () => EpochMs;
  /** Wakes the dispatcher after a send is planned. */
  readonly kick: () => void;
}

const channelChoiceSchema = z.union([
  messageChannelSchema,
  z.literal('best'),
  z.array(messageChannelSchema).min(1).max(7),
]);

/** `POST /api/sends`: one message to one profile, planned in the outbox like a journey step's. */
export const planSendSchema = z
  .object({
    idempotencyKey: z.string().min(1).max(300),
    profileId: z.string().min(1).max(200),
    templateId: z.string().min(1).max(200),
    /** Default: the latest version, fixed now (a later save does not change this send). */
    templateVersion: z.number().int().positive().optional(),
    channel: channelChoiceSchema.default('best'),
    category: z.enum(['marketing', 'transactional']).default('transactional'),
    topic: z.string().min(1).max(64).optional(),
    /** The trigger event (Liquid `event`) and more context (Liquid `context`). */
    context: z.record(z.string(), z.unknown()).optional(),
    sendAt: z.iso.datetime().optional(),
    /**
     * For a list or `best`: if no `delivered` (email: `opened`/`clicked`) outcome is recorded within
     * this time after the provider accepted it, the message is sent on the next eligible channel.
     */
    fallbackAfterMs: z
      .number()
      .int()
      .min(1000)
      .max(30 * 24 * 3_600_000)
      .optional(),
  })
  .refine((b) => b.fallbackAfterMs === undefined || Array.isArray(b.channel) || b.channel === 'best', {
    path: ['fallbackAfterMs'],
    message: 'a fallback needs a channel list or best',
  });

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** A delivery for the API: times as ISO-8601. */
export function presentDelivery(d: DeliveryRecord) {
  return {
    ...d,
    plannedAt: iso(d.plannedAt),
    nextAttemptAt: iso(d.nextAttemptAt),
    updatedAt: iso(d.updatedAt),
  };
}

/** Plans one-off sends; the delivery log (per profile, per journey, per message) with status history; dead-letter replay. */
export function registerDeliveryRoutes(app: FastifyInstance, deps: DeliveryRouteDeps): void {
  const { outbox } = deps;
  const withHistory = async (d: DeliveryRecord) => ({
    ...presentDelivery(d),
    history: (await outbox.history(d.id)).map((h) => ({ ...h, at: iso(h.at) })),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/sends',
    summary: 'Plan a message to one profile; the idempotency key makes a repeated request a no-op',
    tags: ['deliveries'],
    security: 'admin',
    body: planSendSchema,
    handler: async ({ body, reply }) => {
      const profile = await deps.store.getProfile(body.profileId as ProfileId);
      if (!profile)
        throw HttpError.invalid([{ path: '$.profileId', rule: 'exists', message: 'no such profile' }]);
      const template = await deps.templates.getTemplate(body.templateId, body.templateVersion);
      if (!template)
        throw HttpError.invalid([
          { path: '$.templateId', rule: 'exists', message: 'no such template (version)' },
        ]);
      const now = deps.clock();
      const created = await outbox.plan([
        {
          idempotencyKey: body.idempotencyKey,
          profileId: profile.profile.id,
          channel: body.channel,
          templateId: template.id,
          templateVersion: template.version,
          category: body.category,
          ...(body.topic ? { topic: body.topic } : {}),
          context: body.context ?? {},
          plannedAt: now,
          ...(body.sendAt ? { notBefore: Date.parse(body.sendAt) as EpochMs } : {}),
          ...(body.fallbackAfterMs !== undefined ? { fallbackAfterMs: body.fallbackAfterMs } : {}),
        },
      ]);
      deps.kick();
      const delivery = await outbox.getByKey(body.idempotencyKey);
      void reply.status(created > 0 ? 201 : 200);
      return { created: created > 0, delivery: await withHistory(delivery!) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/deliveries',
    summary: 'Deliveries, newest first, by profile, journey and/or status',
    tags: ['deliveries'],
    security: 'admin',
    query: z.object({
      profileId: z.string().max(200).optional(),
      journeyId: z.string().min(1).max(200).optional(),
      status: z.enum(['pending', 'sending', 'sent', 'skipped', 'dead', 'unknown']).optional(),
      limit: z.coerce.number().int().min(1).max(1000).default(100),
    }),
    handler: async ({ query }) => {
      const profileId = query.profileId
        ? ((await deps.store.getProfile(query.profileId as ProfileId))?.profile.id ??
          (query.profileId as ProfileId))
        : undefined;
      const items = await outbox.list({
        limit: query.limit,
        ...(query.status ? { status: query.status } : {}),
        ...(profileId ? { profileId } : {}),
        ...(query.journeyId ? { journeyId: query.journeyId } : {}),
      });
      return { items: items.map(presentDelivery) };
    },
  });

  const load = async (key: string) => {
    const d = /^\d+$/.test(key) ? await outbox.get(Number(key)) : await outbox.getByKey(key);
    if (!d) throw new HttpError('not_found', `no delivery ${key}`);
    return d;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/deliveries/:id',
    summary: 'One delivery (by id or idempotency key) with its status history',
    tags: ['deliveries'],
    security: 'admin',
    params: z.object({ id: z.string().min(1).max(300) }),
    handler: async ({ params }) => withHistory(await load(params.id)),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/deliveries/:id/replay',
    summary:
      'Send a `dead` or `unknown` delivery again (same idempotency key, attempts reset). `unknown` ones were in doubt (a crash or a lost answer during the call) on a provider that does not drop repeats: check the provider first, a replay of one it has is a second message',
    tags: ['deliveries'],
    security: 'admin',
    params: z.object({ id: z.string().min(1).max(300) }),
    handler: async ({ params }) => {
      const d = await load(params.id);
      if (!(await outbox.replay(d.id, deps.clock())))
        throw new HttpError('conflict', `delivery ${d.id} is ${d.status}, not dead or unknown`);
      deps.kick();
      return withHistory((await outbox.get(d.id))!);
    },
  });
}
