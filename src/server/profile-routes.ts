import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EpochMs, ProfileId } from '../core/brand.js';
import { channelAddresses, timeZoneOf, type Profile } from '../core/profiles/profile.js';
import { daysSince } from '../core/segments/values.js';
import type { GroupCommitter } from '../engine/group-commit.js';
import type { EngineHandle } from '../engine/profile-engine.js';
import type { ProfileRecord, Store } from '../store/store.js';
import { InvalidCursorError } from '../store/cursor.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface ProfileRouteDeps {
  readonly store: Store;
  readonly committer: GroupCommitter;
  readonly engine: EngineHandle;
  /** For figures derived at read time (`daysSinceLastOrder`). */
  readonly clock?: () => EpochMs;
}

const idParams = z.object({ id: z.string().min(1).max(200) });
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

/** The API's view of a profile: state plus what is derived from it. */
export function presentProfile(profile: Profile) {
  return {
    id: profile.id,
    userIds: profile.userIds,
    traits: profile.traits,
    traitUpdatedAt: Object.fromEntries(
      Object.entries(profile.traitUpdatedAt).map(([k, v]) => [k, new Date(v).toISOString()]),
    ),
    channels: channelAddresses(profile),
    timezone: timeZoneOf(profile) ?? null,
    groups: profile.groups,
    computed: {
      ...profile.computed,
      firstSeenAt: new Date(profile.firstSeenAt).toISOString(),
      lastSeenAt: new Date(profile.lastSeenAt).toISOString(),
      lastChannel: profile.lastChannel,
      eventCount: profile.eventCount,
    },
    createdAt: new Date(profile.createdAt).toISOString(),
  };
}

/** A profile with identities and merges; `now` adds what is derived at read time. */
function presentRecord(record: ProfileRecord, now?: number) {
  const shown = presentProfile(record.profile);
  const days = now === undefined ? undefined : daysSince(record.profile.computed?.lastOrderAt, now);
  return {
    ...shown,
    computed: days === undefined ? shown.computed : { ...shown.computed, daysSinceLastOrder: days },
    identities: record.identities,
    mergeHistory: record.merges.map((m) => ({ ...m, at: new Date(m.at).toISOString() })),
  };
}

async function load(store: Store, id: string): Promise<ProfileRecord> {
  const record = await store.getProfile(id as ProfileId);
  if (!record) throw new HttpError('not_found', `no profile ${id}`);
  return record;
}

function cursorErrors<T>(run: () => Promise<T>): Promise<T> {
  return run().catch((e: unknown) => {
    if (e instanceof InvalidCursorError) {
      throw HttpError.invalid([{ path: '$.query.cursor', rule: 'cursor', message: e.message }]);
    }
    throw e;
  });
}

/** Admin API over profiles: search, read, timeline, export (right of access) and erasure (right to erasure). */
export function registerProfileRoutes(app: FastifyInstance, deps: ProfileRouteDeps): void {
  const { store } = deps;
  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles',
    summary: 'Search profiles by id, identity (userId, anonymousId, email, phone) or trait value',
    tags: ['profiles'],
    security: 'admin',
    query: pageQuery.extend({ q: z.string().max(500).optional() }),
    handler: async ({ query }) =>
      cursorErrors(async () => {
        const page = await store.searchProfiles(query);
        return { items: page.items.map(presentProfile), nextCursor: page.nextCursor ?? null };
      }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles/:id',
    summary:
      'A profile: traits, identities, computed fields and merge history (merged ids lead to the survivor)',
    tags: ['profiles'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => presentRecord(await load(store, params.id), deps.clock?.()),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles/:id/events',
    summary: "A profile's event timeline, newest first",
    tags: ['profiles'],
    security: 'admin',
    params: idParams,
    query: pageQuery,
    handler: async ({ params, query }) =>
      cursorErrors(async () => {
        const record = await load(store, params.id);
        const page = await store.listEvents(record.profile.id, query);
        return { items: page.items.map((e) => e.message), nextCursor: page.nextCursor ?? null };
      }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles/:id/export',
    summary: 'Everything held about the person, as JSON (GDPR art. 15 / 20)',
    tags: ['profiles'],
    security: 'admin',
    params: idParams,
    handler: async ({ params, reply }) => {
      const record = await load(store, params.id);
      const events = [];
      let cursor: string | undefined;
      do {
        const page = await store.listEvents(record.profile.id, {
          limit: 1000,
          ...(cursor ? { cursor } : {}),
        });
        events.push(...page.items.map((e) => e.message));
        cursor = page.nextCursor;
      } while (cursor);
      void reply.header('content-disposition', `attachment; filename="${record.profile.id}.json"`);
      return { exportedAt: new Date().toISOString(), profile: presentRecord(record), events };
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/profiles/:id',
    summary:
      'Erase a profile: traits, identities, events and dedupe keys, done before the answer (GDPR art. 17)',
    tags: ['profiles'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      const record = await load(store, params.id);
      // Erasure goes through the inbox so that it is applied in order with the person's events.
      const { lastSeq } = await deps.committer.append([{ kind: 'erase', profileId: record.profile.id }]);
      await deps.engine.waitFor(lastSeq);
      return { erased: true, profileId: record.profile.id };
    },
  });
}
