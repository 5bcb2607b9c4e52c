import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EpochMs } from '../core/brand.js';
import { issuesFromZod } from '../core/messages/validation-error.js';
import { PROVIDER_TYPES, providerTypeSchema } from '../engine/dispatch/provider-factory.js';
import { sealSecret } from '../engine/dispatch/secret-box.js';
import type { ProviderStore, StoredProvider } from '../store/store.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface ProviderRouteDeps {
  readonly providers: ProviderStore;
  readonly key: Buffer;
  readonly clock: () => EpochMs;
  /** Rebuilds the providers in use after a change. */
  readonly reload: () => Promise<void>;
}

const nameParams = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and -'),
});

/** What the API shows of a provider: never its secrets, only which ones are set. */
const present = (p: StoredProvider) => ({
  name: p.name,
  type: p.type,
  channel: p.channel,
  settings: p.settings,
  secrets: 'set',
  updatedAt: new Date(p.updatedAt).toISOString(),
});

/** Provider configuration: credentials sealed with AES-256-GCM at rest and never returned. */
export function registerProviderRoutes(app: FastifyInstance, deps: ProviderRouteDeps): void {
  defineRoute(app, {
    method: 'PUT',
    url: '/api/providers/:name',
    summary: 'Create or replace a provider; `secrets` are stored encrypted and never returned',
    tags: ['providers'],
    security: 'admin',
    params: nameParams,
    body: z.object({ type: providerTypeSchema, settings: z.unknown(), secrets: z.unknown() }),
    handler: async ({ params, body }) => {
      const type = PROVIDER_TYPES[body.type];
      const settings = type.settings.safeParse(body.settings ?? {});
      if (!settings.success)
        throw HttpError.invalid(issuesFromZod(settings.error, '$.settings', body.settings));
      const secrets = type.secrets.safeParse(body.secrets ?? {});
      // Secret values are never echoed back, not even in a validation message.
      if (!secrets.success)
        throw HttpError.invalid(
          secrets.error.issues.map((i) => ({
            path: `$.secrets.${i.path.join('.')}`,
            rule: 'required',
            message: `required by ${body.type}`,
          })),
        );
      const stored: StoredProvider = {
        name: params.name,
        type: body.type,
        channel: type.channel,
        settings: settings.data,
        secret: sealSecret(deps.key, JSON.stringify(secrets.data)),
        updatedAt: deps.clock(),
      };
      await deps.providers.putProvider(stored);
      await deps.reload();
      return present(stored);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/providers',
    summary: 'Configured providers (no secrets)',
    tags: ['providers'],
    security: 'admin',
    handler: async () => ({ items: (await deps.providers.listProviders()).map(present) }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/providers/:name',
    summary: 'One provider (no secrets)',
    tags: ['providers'],
    security: 'admin',
    params: nameParams,
    handler: async ({ params }) => {
      const p = await deps.providers.getProvider(params.name);
      if (!p) throw new HttpError('not_found', `no provider ${params.name}`);
      return present(p);
    },
  });

  defineRoute(app, {
    method: 'DELETE',
    url: '/api/providers/:name',
    summary: 'Remove a provider',
    tags: ['providers'],
    security: 'admin',
    params: nameParams,
    handler: async ({ params }) => {
      if (!(await deps.providers.deleteProvider(params.name)))
        throw new HttpError('not_found', `no provider ${params.name}`);
      await deps.reload();
      return { deleted: true };
    },
  });
}
