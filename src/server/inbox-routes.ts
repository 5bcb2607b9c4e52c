import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { InAppInbox, InboxEntry } from '../channels/inapp/inapp-inbox.js';
import type { EpochMs, ProfileId } from '../core/brand.js';
import { issuesFromZod } from '../core/messages/validation-error.js';
import { identityKey } from '../core/profiles/identity.js';
import type { Store } from '../store/store.js';
import { requireWriteKey } from './auth.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface InboxRouteDeps {
  readonly inbox: InAppInbox;
  readonly store: Pick<Store, 'findOwners' | 'getProfile'>;
  readonly writeKeys: readonly string[];
  readonly clock: () => EpochMs;
  /** Comment lines that keep idle streams open through proxies; 15 s unless a test says otherwise. */
  readonly heartbeatMs?: number;
}

const userId = z.string().min(1).max(400);
const listQuery = z.object({
  userId,
  limit: z.coerce.number().int().min(1).max(200).default(50),
  unreadOnly: z.enum(['true', 'false']).optional(),
});
const streamQuery = z.object({ userId });
const readParams = z.object({ id: z.string().regex(/^inb_[0-9]+$/, 'an inbox id (inb_…)') });
const readBody = z.object({ userId });

/** Validates after the write key is checked, so a caller without a key learns nothing about fields. */
function parse<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.output<T> {
  const result = schema.safeParse(value ?? {});
  if (!result.success) throw HttpError.invalid(issuesFromZod(result.error, prefix, value));
  return result.data;
}

/** What apps see of an entry: the rendered content and ISO times. */
const present = (e: InboxEntry) => ({
  id: e.id,
  title: e.content.title,
  body: e.content.body,
  ...(e.content.image ? { image: e.content.image } : {}),
  ...(e.content.cta ? { cta: e.content.cta } : {}),
  createdAt: new Date(e.createdAt).toISOString(),
  expiresAt: e.expiresAt === undefined ? null : new Date(e.expiresAt).toISOString(),
  readAt: e.readAt === undefined ? null : new Date(e.readAt).toISOString(),
});

/**
 * The in-app inbox for apps and sites (HTTP Basic with the write key, like `/v1/*`): list, mark read,
 * and a live stream of server-sent events (WHATWG HTML §9.2) fed as the dispatcher delivers.
 * @example registerInboxRoutes(app, { inbox: ports.inapp, store, writeKeys, clock });
 */
export function registerInboxRoutes(app: FastifyInstance, deps: InboxRouteDeps): void {
  const { inbox, clock } = deps;
  /** The person's current profile (following merges), or undefined for a user not seen yet. */
  const profileOf = async (user: string): Promise<ProfileId | undefined> => {
    const key = identityKey('user_id', user);
    const owner = (await deps.store.findOwners([key])).get(key);
    return owner && ((await deps.store.getProfile(owner))?.profile.id ?? owner);
  };

  defineRoute(app, {
    method: 'GET',
    url: '/v1/inbox',
    summary: 'A user’s in-app messages, newest first, with the unread count (expired ones are hidden)',
    tags: ['inbox'],
    security: 'writeKey',
    handler: async ({ request }) => {
      requireWriteKey(request, deps.writeKeys);
      const q = parse(listQuery, request.query, '$.query');
      const profileId = await profileOf(q.userId);
      if (!profileId) return { items: [], unread: 0 };
      const now = clock();
      const query = { now, limit: q.limit, unreadOnly: q.unreadOnly === 'true' };
      const items = await inbox.list(profileId, query);
      return { items: items.map(present), unread: await inbox.countUnread(profileId, now) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/v1/inbox/:id/read',
    summary: 'Mark one in-app message read (body: `{ "userId": … }`); marking twice keeps the first time',
    tags: ['inbox'],
    security: 'writeKey',
    documentedBody: readBody,
    handler: async ({ request }) => {
      requireWriteKey(request, deps.writeKeys);
      const params = parse(readParams, request.params, '$.params');
      const body = parse(readBody, request.body, '$');
      const profileId = await profileOf(body.userId);
      if (!profileId) throw new HttpError('not_found', `no user ${body.userId}`);
      const now = clock();
      await inbox.markRead(profileId, [params.id], now);
      return { id: params.id, unread: await inbox.countUnread(profileId, now) };
    },
  });

  const open = new Set<() => void>();
  // Streams never end by themselves: close them first, or closing the server would wait for them.
  app.addHook('preClose', async () => {
    for (const end of open) end();
  });

  defineRoute(app, {
    method: 'GET',
    url: '/v1/inbox/stream',
    summary:
      'Server-sent events: `event: message` with each new in-app message, heartbeat comments every 15 s',
    tags: ['inbox'],
    security: 'writeKey',
    handler: async ({ request, reply }) => {
      requireWriteKey(request, deps.writeKeys);
      const q = parse(streamQuery, request.query, '$.query');
      const profileId = await profileOf(q.userId);
      if (!profileId) throw new HttpError('not_found', `no user ${q.userId}`);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(': connected\n\n');
      const unsubscribe = inbox.subscribe(profileId, (entry) => {
        res.write(`id: ${entry.id}\nevent: message\ndata: ${JSON.stringify(present(entry))}\n\n`);
      });
      const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), deps.heartbeatMs ?? 15_000);
      const end = () => {
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      // The response's `close`: the client went away (the request's fires as soon as its body is read).
      res.on('close', end);
    },
  });
}
