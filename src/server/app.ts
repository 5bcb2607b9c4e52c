import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { EpochMs } from '../core/brand.js';
import type { RateLimit } from '../core/rate-limit.js';
import type { GroupCommitter } from '../engine/group-commit.js';
import type { EngineHandle } from '../engine/profile-engine.js';
import type { Store } from '../store/store.js';
import { requireAdminKey } from './auth.js';
import { registerCors } from './cors.js';
import { HttpError } from './http-error.js';
import { registerIngestRoutes } from './ingest-routes.js';
import { registerProfileRoutes } from './profile-routes.js';
import { registerSegmentRoutes } from './segment-routes.js';
import { registerComputedRoutes, type ComputedRouteDeps } from './computed-routes.js';
import type { SegmentService } from '../engine/segment-service.js';
import { registerJsonBodyParser } from './read-body.js';
import type { MessagingService } from '../engine/dispatch/messaging-service.js';
import { registerMessagingRoutes } from './messaging-routes.js';
import { registerInboxRoutes } from './inbox-routes.js';
import { registerJourneyRoutes } from './journey-routes.js';
import type { JourneyService } from '../engine/journey-service.js';
import type { JobBoard } from '../engine/job-board.js';
import { registerJobRoutes } from './job-routes.js';

export interface ServerDeps {
  readonly store: Store;
  readonly committer: GroupCommitter;
  readonly engine: EngineHandle;
  readonly segments: SegmentService;
  /** The computed-traits jobs (RFM, predicted value); their routes are left out when absent. */
  readonly computed?: ComputedRouteDeps;
  /** Templates, sends, deliveries, providers, consent and tracking; left out when absent. */
  readonly messaging?: MessagingService;
  /** The journeys API; its routes are left out when absent. */
  readonly journeys?: JourneyService;
  /** The long jobs, for `GET /api/jobs`; left out when absent. */
  readonly jobs?: JobBoard;
  readonly clock: () => EpochMs;
  readonly writeKeys: readonly string[];
  readonly adminKey: string;
  /** Keys the user tokens of the in-app inbox API (see user-token.ts). */
  readonly inboxSecret: string;
  readonly rateLimit: RateLimit;
  readonly logger?: boolean;
  readonly version?: string;
}

/**
 * Builds the HTTP server (not listening yet). Every dependency comes in here: this and the CLI are the
 * only places that know which store and which engine run.
 * @example const app = await createServer(deps); await app.listen({ port: 3000 });
 */
export async function createServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: 16 * 1024 * 1024, trustProxy: true });
  // zod validates (see route.ts); the schemas given to Fastify only document.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerJsonBodyParser(app);

  app.setErrorHandler((error: FastifyError | HttpError, request, reply) => {
    if (error instanceof HttpError) {
      if (error.headers) void reply.headers(error.headers);
      return reply.status(error.status).send(error.toBody());
    }
    const status = error.statusCode ?? 500;
    // Never silent: without the request logger (the default), a failure the client only sees as
    // "internal error" still reaches the operator on stderr.
    if (status >= 500 && deps.logger) app.log.error(error);
    else if (status >= 500)
      console.error(`orkestra: ${request.method} ${request.url} failed: ${error.stack ?? error.message}`);
    const code = status === 413 || (status >= 400 && status < 500) ? 'invalid_request' : 'internal';
    const http = new HttpError(code, status >= 500 ? 'internal error' : error.message);
    return reply.status(status >= 500 ? 500 : 400).send(http.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new HttpError('not_found', `no route ${request.method} ${request.url}`).toBody()),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Orkestra API',
        version: deps.version ?? '0.1.0',
        description:
          'Segment-compatible ingestion (HTTP Basic: write key as user name) and the admin API (Bearer admin key).',
      },
      components: {
        securitySchemes: {
          writeKey: { type: 'http', scheme: 'basic' },
          adminKey: { type: 'http', scheme: 'bearer' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/')) requireAdminKey(request, deps.adminKey);
  });
  // Shop pages post events and sites read the inbox from their own origins; the admin API stays same-origin.
  registerCors(app, { prefix: '/v1/' });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async () => ({
    ok: true,
    inboxDepth: await deps.store.inboxDepth(),
    processedSeq: deps.engine.lastProcessedSeq,
    engineBurst: deps.engine.inBurst ?? false,
  }));

  registerIngestRoutes(app, deps);
  registerProfileRoutes(app, deps);
  registerSegmentRoutes(app, deps);
  if (deps.computed) registerComputedRoutes(app, deps.computed);
  if (deps.messaging) registerMessagingRoutes(app, { messaging: deps.messaging, clock: deps.clock });
  const inbox = deps.messaging?.options.ports.inapp;
  if (inbox) {
    const { store, writeKeys, inboxSecret, clock } = deps;
    registerInboxRoutes(app, { inbox, store, writeKeys, inboxSecret, clock });
  }
  if (deps.journeys) registerJourneyRoutes(app, { store: deps.store, journeys: deps.journeys });
  if (deps.jobs) registerJobRoutes(app, deps.jobs);
  return app;
}
