import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ProfileId } from '../core/brand.js';
import { conditionSchema, segmentDefinitionSchema } from '../core/segments/definition.js';
import type { SegmentService } from '../engine/segment-service.js';
import type { Store } from '../store/store.js';
import { HttpError } from './http-error.js';
import { presentProfile } from './profile-routes.js';
import { defineRoute } from './route.js';

export interface SegmentRouteDeps {
  readonly store: Store;
  readonly segments: SegmentService;
}

const idParams = z.object({ id: z.string().min(1).max(100) });
const pageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(500).optional(),
});

/** The change feed: `after` is the `next` of the previous answer (0 for the beginning). */
const changesQuery = z.object({
  after: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  wait: z.coerce.number().int().min(0).max(30_000).default(0),
});
const changesResponse = z.object({
  items: z.array(
    z.object({
      id: z.number().int(),
      segmentId: z.string(),
      profileId: z.string(),
      entered: z.boolean(),
      at: z.iso.datetime(),
    }),
  ),
  /** Pass as `after` to continue. */
  next: z.number().int(),
});

const csvCell = (v: unknown): string => {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Segments API: definitions (versioned), preview, members, CSV export, history and size over time. */
export function registerSegmentRoutes(app: FastifyInstance, deps: SegmentRouteDeps): void {
  const { store, segments } = deps;
  const load = async (id: string) => {
    const s = await store.getSegment(id);
    if (!s) throw new HttpError('not_found', `no segment ${id}`);
    return s;
  };
  const sizeOf = async (id: string) => (await store.memberIds(id)).length;
  const save = async (body: z.output<typeof segmentDefinitionSchema>) => {
    const saved = await segments.save(body);
    if (!saved.ok)
      throw HttpError.invalid([{ path: '$.condition', rule: 'segment_reference', message: saved.error }]);
    return { ...saved.value.segment, size: saved.value.backfill.members, backfill: saved.value.backfill };
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/segments',
    summary: 'All segments with their current size',
    tags: ['segments'],
    security: 'admin',
    handler: async () => {
      const all = await store.listSegments();
      return {
        items: await Promise.all(all.map(async (s) => ({ ...s, size: await sizeOf(s.definition.id) }))),
      };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/segments',
    summary: 'Create or replace a segment (a new version); members are backfilled before the answer',
    tags: ['segments'],
    security: 'admin',
    body: segmentDefinitionSchema,
    handler: async ({ body }) => save(body),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/segments/:id',
    summary: 'Update a segment (a new version); members are recomputed before the answer',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    body: segmentDefinitionSchema.omit({ id: true }),
    handler: async ({ params, body }) => save({ ...body, id: params.id }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/segments/:id',
    summary: 'A segment: definition, version and size',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => ({ ...(await load(params.id)), size: await sizeOf(params.id) }),
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/segments/:id',
    summary: 'Delete a segment (refused while another segment refers to it)',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await load(params.id);
      const deleted = await segments.delete(params.id);
      if (!deleted.ok) throw new HttpError('conflict', deleted.error);
      return { deleted: true };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/segments/preview',
    summary: 'Count and sample the profiles a condition matches now, without saving',
    tags: ['segments'],
    security: 'admin',
    body: z.object({ condition: conditionSchema, sample: z.number().int().min(0).max(100).default(10) }),
    handler: async ({ body }) => {
      const ids = await segments.preview(body.condition);
      const sample = await store.loadProfiles(ids.slice(0, body.sample));
      return { count: ids.length, sample: [...sample.values()].map(presentProfile) };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/segments/:id/recompute',
    summary: 'Reconcile the members with a full evaluation in the database',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await load(params.id);
      return (await segments.recompute(params.id))[0];
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/segments/:id/members',
    summary: 'Current members, paginated',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    query: pageQuery,
    handler: async ({ params, query }) => {
      await load(params.id);
      const page = await store.listMembers(params.id, query);
      const profiles = await store.loadProfiles(page.items);
      return {
        items: page.items.flatMap((id) => {
          const p = profiles.get(id);
          return p ? [presentProfile(p)] : [];
        }),
        nextCursor: page.nextCursor ?? null,
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/segments/:id/members.csv',
    summary: 'Current members as CSV (profile id, user id, email, phone, first and last name, entered at)',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    handler: async ({ params, reply }) => {
      await load(params.id);
      const ids = await store.memberIds(params.id);
      const lines = ['profile_id,user_id,email,phone,first_name,last_name,entered_at'];
      for (let i = 0; i < ids.length; i += 2000) {
        const profiles = await store.loadProfiles(ids.slice(i, i + 2000));
        for (const p of profiles.values()) {
          const entered = p.segments?.[params.id];
          lines.push(
            [
              p.id,
              p.userIds[0],
              p.traits.email,
              p.traits.phone,
              p.traits.firstName,
              p.traits.lastName,
              entered === undefined ? '' : new Date(entered).toISOString(),
            ]
              .map(csvCell)
              .join(','),
          );
        }
      }
      void reply.header('content-type', 'text/csv; charset=utf-8');
      void reply.header('content-disposition', `attachment; filename="${params.id}.csv"`);
      return reply.send(`${lines.join('\n')}\n`);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/segments/:id/size-history',
    summary: 'Daily entries, exits and size at the end of each day (UTC)',
    tags: ['segments'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await load(params.id);
      return { items: await store.segmentSizeHistory(params.id) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/segment-changes',
    summary:
      'Entries and exits of every segment after a position, oldest first; waits up to `wait` ms for the next one (long poll)',
    tags: ['segments'],
    security: 'admin',
    query: changesQuery,
    response: changesResponse,
    handler: async ({ query }) => {
      const items = await segments.changesAfter({
        after: query.after,
        limit: query.limit,
        waitMs: query.wait,
      });
      return {
        items: items.map((c) => ({ ...c, at: new Date(c.at).toISOString() })),
        next: items.at(-1)?.id ?? query.after,
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles/:id/segments',
    summary: "A profile's current segments and its history of entries and exits",
    tags: ['segments', 'profiles'],
    security: 'admin',
    params: z.object({ id: z.string().min(1).max(200) }),
    handler: async ({ params }) => {
      const record = await store.getProfile(params.id as ProfileId);
      if (!record) throw new HttpError('not_found', `no profile ${params.id}`);
      const history = await store.membershipHistory({ profileId: record.profile.id, limit: 1000 });
      return {
        current: Object.entries(record.profile.segments ?? {}).map(([segmentId, at]) => ({
          segmentId,
          enteredAt: new Date(at).toISOString(),
        })),
        history: history.map((h) => ({ ...h, at: new Date(h.at).toISOString() })),
      };
    },
  });
}
