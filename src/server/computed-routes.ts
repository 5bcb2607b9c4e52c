import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ClvService } from '../engine/clv-service.js';
import type { ComputedTraitsService } from '../engine/computed-traits-service.js';
import type { RfmService } from '../engine/rfm-service.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface ComputedRouteDeps {
  readonly rfm: RfmService;
  readonly clv: ClvService;
  readonly traits: ComputedTraitsService;
}

const refitBody = z
  .object({
    horizonWeeks: z.number().finite().min(0).max(520).optional(),
    discountRate: z.number().finite().min(0).max(1).optional(),
  })
  .strict()
  .optional();

/**
 * Computed-traits jobs, on demand: RFM scores, the predicted-value (BG/NBD + Gamma-Gamma) refit, and
 * the rebuild of the event-derived traits (orders, engagement) from every profile's history.
 */
export function registerComputedRoutes(app: FastifyInstance, deps: ComputedRouteDeps): void {
  defineRoute(app, {
    method: 'POST',
    url: '/api/computed/traits/rebuild',
    summary:
      "Rebuild every profile's order and engagement traits from its stored events, correcting those that differ (after an upgrade or an import); returns events read, profiles seen and changed",
    tags: ['computed'],
    security: 'admin',
    body: z.object({}).strict().optional(),
    handler: async () => deps.traits.rebuild(),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/computed/rfm/recompute',
    summary: 'Recompute RFM scores and groups of every customer now; returns customers per group',
    tags: ['computed'],
    security: 'admin',
    body: z.object({}).strict().optional(),
    handler: async () => deps.rfm.recompute(),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/computed/rfm',
    summary: 'Customers per RFM group, as of the last recompute',
    tags: ['computed'],
    security: 'admin',
    handler: async () => {
      const summary = await deps.rfm.lastSummary();
      if (!summary) throw new HttpError('not_found', 'RFM scores have not been computed yet');
      return summary;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/computed/clv/refit',
    summary:
      'Refit BG/NBD and Gamma-Gamma on the order history and rescore every customer; returns the parameters, or why no fit was made',
    tags: ['computed'],
    security: 'admin',
    body: refitBody,
    handler: async ({ body }) => deps.clv.refit(body ?? {}),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/computed/clv',
    summary: 'The last predicted-value fit: parameters, customers, horizon and discount rate',
    tags: ['computed'],
    security: 'admin',
    handler: async () => {
      const result = await deps.clv.lastResult();
      if (!result) throw new HttpError('not_found', 'the predicted-value models have not been fitted yet');
      return result;
    },
  });
}
