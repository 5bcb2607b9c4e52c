import type { FastifyInstance, FastifyRequest } from 'fastify';
import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { InAppInbox, InboxEntry } from '../channels/inapp/inapp-inbox.js';
import type { EpochMs, ProfileId } from '../core/brand.js';
import { issuesFromZod, toJsonPath } from '../core/messages/validation-error.js';
import { identityKey } from '../core/profiles/identity.js';
import type { Store } from '../store/store.js';
import { requireWriteKey } from './auth.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';
import { userTokenFor, verifyUserToken } from './user-token.js';

export interface InboxRouteDeps {
  readonly inbox: InAppInbox;
  readonly store: Pick<Store, 'findOwners' | 'getProfile'>;
  readonly writeKeys: readonly string[];
  /** Keys the user tokens (see user-token.ts): without a token for the userId, no inbox call succeeds. */
  readonly inboxSecret: string;
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
const tokenBody = z.object({ userId });
const tokenAnswer = z.object({ userId: z.string(), token: z.string().regex(/^[0-9a-f]{64}$/) });

const USER_TOKEN_HEADER = 'x-orkestra-user-token';

/** A query parameter given once (`?a=1&a=2` arrives as an array, which counts as absent). */
function queryParam(request: FastifyRequest, name: string): string | undefined {
  const value = (request.query as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : undefined;
}

function isSameKey(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The write key as HTTP Basic (or in a body), else as `?writeKey=`: a browser's EventSource cannot set
 * headers (WHATWG HTML §9.2), and the key is public anyway; the user token is what guards the inbox.
 */
function requireAppKey(request: FastifyRequest, keys: readonly string[]): void {
  const fromQuery = queryParam(request, 'writeKey');
  if (request.headers.authorization !== undefined || fromQuery === undefined) {
    requireWriteKey(request, keys);
    return;
  }
  if (!keys.some((k) => isSameKey(k, fromQuery))) throw new HttpError('unauthorized', 'unknown write key');
}

/**
 * The caller proves it speaks for `user` with the user token, as header `X-Orkestra-User-Token` or, for
 * EventSource, query parameter `userToken`; a missing or wrong one is a 401 naming the field.
 */
function requireUserToken(request: FastifyRequest, secret: string, user: string): void {
  const header = request.headers[USER_TOKEN_HEADER];
  const query = queryParam(request, 'userToken');
  const token = typeof header === 'string' ? header : query;
  const inQuery = typeof header !== 'string' && query !== undefined;
  const path = inQuery ? '$.query.userToken' : toJsonPath([USER_TOKEN_HEADER], '$.headers');
  if (token === undefined) {
    const message = `a user token is required (header X-Orkestra-User-Token or query parameter userToken): HMAC-SHA256 of the userId with the inbox secret, from your backend or POST /api/inbox/tokens`;
    throw new HttpError('unauthorized', message, [{ path, rule: 'required', message: 'required' }]);
  }
  if (!verifyUserToken(secret, user, token)) {
    const message = `the user token is not the one of userId ${JSON.stringify(user)}`;
    throw new HttpError('unauthorized', message, [{ path, rule: 'user_token', message }]);
  }
}

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
 * The in-app inbox for apps and sites: list, mark read, and a live stream of server-sent events (WHATWG
 * HTML §9.2) fed as the dispatcher delivers. Each call carries the write key (public, like `/v1/*`) and
 * the user's token (secret to that user, like Intercom's identity verification); `POST /api/inbox/tokens`
 * issues tokens for backends that would rather not compute them.
 * @example registerInboxRoutes(app, { inbox: ports.inapp, store, writeKeys, inboxSecret, clock });
 */
export function registerInboxRoutes(app: FastifyInstance, deps: InboxRouteDeps): void {
  const { inbox, clock, inboxSecret } = deps;
  /** The person's current profile (following merges), or undefined for a user not seen yet. */
  const profileOf = async (user: string): Promise<ProfileId | undefined> => {
    const key = identityKey('user_id', user);
    const owner = (await deps.store.findOwners([key])).get(key);
    return owner && ((await deps.store.getProfile(owner))?.profile.id ?? owner);
  };

  defineRoute(app, {
    method: 'GET',
    url: '/v1/inbox',
    summary:
      'A user’s in-app messages, newest first, with the unread count (expired ones are hidden); needs the user token (X-Orkestra-User-Token or ?userToken=); the write key may also come as ?writeKey=',
    tags: ['inbox'],
    security: 'writeKey',
    handler: async ({ request }) => {
      requireAppKey(request, deps.writeKeys);
      const q = parse(listQuery, request.query, '$.query');
      requireUserToken(request, inboxSecret, q.userId);
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
    summary:
      'Mark one in-app message read (body: `{ "userId": … }`, user token in X-Orkestra-User-Token); marking twice keeps the first time',
    tags: ['inbox'],
    security: 'writeKey',
    documentedBody: readBody,
    handler: async ({ request }) => {
      requireWriteKey(request, deps.writeKeys);
      const params = parse(readParams, request.params, '$.params');
      const body = parse(readBody, request.body, '$');
      requireUserToken(request, inboxSecret, body.userId);
      const profileId = await profileOf(body.userId);
      if (!profileId) throw new HttpError('not_found', `no user ${body.userId}`);
      const now = clock();
      await inbox.markRead(profileId, [params.id], now);
      return { id: params.id, unread: await inbox.countUnread(profileId, now) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/inbox/tokens',
    summary:
      'The user token an app sends with inbox calls. Your backend can compute it itself instead: HMAC-SHA256 of the userId (UTF-8), keyed with the inbox secret (ORKESTRA_INBOX_SECRET) as UTF-8 text, in lowercase hex',
    tags: ['inbox'],
    security: 'admin',
    body: tokenBody,
    response: tokenAnswer,
    handler: async ({ body }) => ({ userId: body.userId, token: userTokenFor(inboxSecret, body.userId) }),
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
      'Server-sent events: `event: message` with each new in-app message, heartbeat comments every 15 s; for EventSource, which sets no headers: `?userId=…&writeKey=…&userToken=…`',
    tags: ['inbox'],
    security: 'writeKey',
    handler: async ({ request, reply }) => {
      requireAppKey(request, deps.writeKeys);
      const q = parse(streamQuery, request.query, '$.query');
      requireUserToken(request, inboxSecret, q.userId);
      const profileId = await profileOf(q.userId);
      if (!profileId) throw new HttpError('not_found', `no user ${q.userId}`);
      reply.hijack();
      const res = reply.raw;
      // Hijacked: headers hooks have set on the reply (CORS) are written here or not at all.
      for (const [name, value] of Object.entries(reply.getHeaders()))
        if (value !== undefined) res.setHeader(name, value);
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
