import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { JobBoard } from '../engine/job-board.js';
import { defineRoute } from './route.js';

const jobSchema = z.object({
  id: z.number().int(),
  job: z.string(),
  state: z.enum(['running', 'done', 'failed']),
  phase: z.string().optional(),
  done: z.number().optional(),
  total: z.number().optional(),
  startedAt: z.string(),
  updatedAt: z.string(),
  finishedAt: z.string().optional(),
  ms: z.number().optional(),
  error: z.string().optional(),
});

/** `GET /api/jobs`: the long jobs running now (with their phase and progress) and the last ones finished. */
export function registerJobRoutes(app: FastifyInstance, jobs: JobBoard): void {
  defineRoute(app, {
    method: 'GET',
    url: '/api/jobs',
    summary:
      'Long jobs (segment backfills and recomputes, computed-trait rebuilds, RFM, predicted value): those running with their phase and progress, and the last 20 finished',
    tags: ['jobs'],
    security: 'admin',
    response: z.object({ running: z.array(jobSchema), recent: z.array(jobSchema) }),
    handler: async () => jobs.list(),
  });
}
