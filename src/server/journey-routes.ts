import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { asEpochMs, type ProfileId } from '../core/brand.js';
import { journeySchema } from '../core/journeys/definition.js';
import { sendPolicySchema } from '../core/journeys/send-policy.js';
import type { JourneyProblem } from '../core/journeys/validate-journey.js';
import { validateJourney } from '../core/journeys/validate-journey.js';
import type { JourneyService } from '../engine/journey-service.js';
import type { Store } from '../store/store.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface JourneyRouteDeps {
  readonly store: Store;
  readonly journeys: JourneyService;
}

const idParams = z.object({ id: z.string().min(1).max(100) });
const definition = z.record(z.string(), z.unknown());
const runsQuery = z.object({
  status: z.enum(['new', 'active', 'ended']).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  after: z.string().max(200).optional(),
});
const startBody = z
  .object({
    idempotencyKey: z.string().min(1).max(200),
    userId: z.string().min(1).max(400).optional(),
    anonymousId: z.string().min(1).max(400).optional(),
    profileId: z.string().min(1).max(100).optional(),
    context: z.record(z.string(), z.unknown()).default({}),
    /** Answer once the engine has applied the start (default), or as soon as it is durable. */
    wait: z.boolean().default(true),
  })
  .refine((b) => [b.userId, b.anonymousId, b.profileId].filter((x) => x !== undefined).length === 1, {
    message: 'exactly one of userId, anonymousId, profileId',
    path: ['userId'],
  });
const simulateBody = z
  .object({
    from: z.iso.datetime({ offset: true }),
    to: z.iso.datetime({ offset: true }),
    source: z.enum(['draft', 'published']).default('published'),
    /** A definition to simulate instead of a stored one (a file not applied yet). */
    definition: definition.optional(),
  })
  .refine((b) => Date.parse(b.from) <= Date.parse(b.to), {
    message: 'from must not be after to',
    path: ['to'],
  });

/** Every problem of a definition, as a 400 naming each field and rule. */
const problemsError = (problems: readonly JourneyProblem[]): HttpError =>
  HttpError.invalid(problems.map((p) => ({ path: p.path, rule: p.code, message: p.message })));

/** Journeys API: drafts, validation, publishing, API starts, runs, statistics, simulation, send policy. */
export function registerJourneyRoutes(app: FastifyInstance, deps: JourneyRouteDeps): void {
  const { store, journeys } = deps;
  const tags = ['journeys'];
  const load = async (id: string) => {
    const j = await store.getJourney(id);
    if (!j) throw new HttpError('not_found', `no journey ${id}`);
    return j;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/journeys',
    summary: 'All journeys: drafts and latest published versions',
    tags,
    security: 'admin',
    handler: async () => ({ items: await store.listJourneys() }),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/journeys',
    summary: 'Create a journey draft (any JSON with an id; validated when published)',
    tags,
    security: 'admin',
    body: definition.and(z.object({ id: journeySchema.def.innerType.shape.id })),
    documentedBody: journeySchema,
    handler: async ({ body }) => {
      if (await store.getJourney(body.id)) throw new HttpError('conflict', `journey ${body.id} exists`);
      return store.saveJourneyDraft(body.id, body, journeys.now());
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/journeys/:id',
    summary: 'A journey: its draft and its latest published version',
    tags,
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => load(params.id),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/journeys/:id/draft',
    summary: 'Save the draft of a journey (created when new)',
    tags,
    security: 'admin',
    params: idParams,
    body: definition,
    documentedBody: journeySchema,
    handler: async ({ params, body }) =>
      store.saveJourneyDraft(params.id, { ...body, id: params.id }, journeys.now()),
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/journeys/:id',
    summary: 'Delete a journey that was never published (published ones keep their runs)',
    tags,
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await load(params.id);
      if (!(await store.deleteJourney(params.id)))
        throw new HttpError('conflict', `journey ${params.id} has been published`);
      return { deleted: true };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/journeys/:id/validate',
    summary: 'Validate a definition (the body, else the draft), listing every problem',
    tags,
    security: 'admin',
    params: idParams,
    body: definition.optional(),
    handler: async ({ params, body }) => {
      const source = body && Object.keys(body).length > 0 ? body : (await load(params.id)).draft;
      const result = validateJourney(source);
      return result.ok ? { valid: true, problems: [] } : { valid: false, problems: result.error };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/journeys/:id/publish',
    summary: 'Publish the draft (or the given definition) as a new version; optionally move in-flight runs',
    tags,
    security: 'admin',
    params: idParams,
    body: z
      .object({
        migrate: z.boolean().default(false),
        onlyIfChanged: z.boolean().default(false),
        definition: definition.optional(),
      })
      .default({ migrate: false, onlyIfChanged: false }),
    handler: async ({ params, body }) => {
      if (!body.definition) await load(params.id);
      const published = await journeys.publish(params.id, {
        migrate: body.migrate,
        onlyIfChanged: body.onlyIfChanged,
        ...(body.definition ? { definition: body.definition } : {}),
      });
      if (!published.ok) throw problemsError(published.error);
      return published.value;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/journeys/:id/runs',
    summary: 'Start a run for a person (idempotent by key); answers with the run once the engine applied it',
    tags,
    security: 'admin',
    params: idParams,
    body: startBody,
    handler: async ({ params, body, reply }) => {
      const j = await load(params.id);
      if (j.publishedVersion === undefined)
        throw new HttpError('conflict', `journey ${params.id} is not published`);
      const target =
        body.userId !== undefined
          ? { userId: body.userId }
          : body.anonymousId !== undefined
            ? { anonymousId: body.anonymousId }
            : { profileId: body.profileId ?? '' };
      const request = { journeyId: params.id, idempotencyKey: body.idempotencyKey, context: body.context };
      const started = await journeys.start(request, target, body.wait);
      if (!started.ok) throw new HttpError('not_found', started.error);
      if (started.value.status === 'refused')
        throw new HttpError('conflict', `not started: ${started.value.reason}`);
      if (started.value.status === 'accepted') void reply.status(202);
      return started.value;
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/journeys/:id/runs',
    summary: 'Runs of a journey, by run id',
    tags,
    security: 'admin',
    params: idParams,
    query: runsQuery,
    handler: async ({ params, query }) => {
      const items = await store.listRuns({ journeyId: params.id, ...query });
      return { items, ...(items.length === query.limit ? { after: items[items.length - 1]!.runId } : {}) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/journeys/:id/runs/:runId',
    summary: 'One run with the inputs it took and the sends it planned',
    tags,
    security: 'admin',
    params: z.object({ id: z.string().min(1).max(100), runId: z.string().min(1).max(300) }),
    handler: async ({ params }) => {
      const run = await store.getRun(params.runId);
      if (!run || run.journeyId !== params.id) throw new HttpError('not_found', `no run ${params.runId}`);
      const sends = (await store.listSends({ profileId: run.profileId, limit: 1000 })).filter(
        (s) => s.runId === run.runId,
      );
      return { run, inputs: await store.runInputs(run.runId), sends };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/profiles/:id/journey-runs',
    summary: "A person's journey runs",
    tags,
    security: 'admin',
    params: idParams,
    query: runsQuery,
    handler: async ({ params, query }) => ({
      items: await store.listRuns({ profileId: params.id as ProfileId, ...query }),
    }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/journeys/:id/stats',
    summary:
      'Per node and branch: entered, waiting, passed, exited, converted, messages; per journey: runs, conversions, revenue',
    tags,
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      await load(params.id);
      return journeys.stats(params.id);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/journeys/:id/simulate',
    summary: 'Replay the stored events of a window through the draft or published journey, sending nothing',
    tags,
    security: 'admin',
    params: idParams,
    body: simulateBody,
    handler: async ({ params, body }) => {
      const j = body.definition ? undefined : await load(params.id);
      const source = body.definition ?? (body.source === 'draft' ? (j?.draft ?? j?.published) : j?.published);
      if (source === undefined)
        throw new HttpError('conflict', `journey ${params.id} has no ${body.source} version`);
      const checked = validateJourney(source);
      if (!checked.ok) throw problemsError(checked.error);
      return journeys.simulate(checked.value, {
        from: asEpochMs(Date.parse(body.from)),
        to: asEpochMs(Date.parse(body.to)),
      });
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/journey-policy',
    summary: 'The send policy: frequency caps across journeys and quiet hours',
    tags,
    security: 'admin',
    handler: async () => journeys.policy(),
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/journey-policy',
    summary: 'Replace the send policy',
    tags,
    security: 'admin',
    body: sendPolicySchema,
    handler: async ({ body }) => journeys.setPolicy(body),
  });
}
