import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { smsInfo } from '../core/channels/sms-encoding.js';
import { messageChannelSchema } from '../core/channels/variants.js';
import type { TemplateService } from '../engine/dispatch/template-service.js';
import type { StoredTemplate, TemplateStore } from '../store/store.js';
import { HttpError } from './http-error.js';
import { defineRoute } from './route.js';

export interface TemplateRouteDeps {
  readonly templates: TemplateStore;
  readonly templateService: TemplateService;
}

const idParams = z.object({ id: z.string().min(1).max(200) });
const templateBody = z.object({ id: z.string().min(1).max(200) }).loose();

/** A stored version for the API: the template as saved, its compile warnings and SMS encoding per locale. */
function present(t: StoredTemplate) {
  const sms = (t.source as { variants?: { sms?: Record<string, { body: string }> } }).variants?.sms ?? {};
  return {
    ...t.source,
    version: t.version,
    createdAt: new Date(t.createdAt).toISOString(),
    warnings: t.warnings,
    smsInfo: Object.fromEntries(Object.entries(sms).map(([locale, v]) => [locale, smsInfo(v.body)])),
  };
}

/** Templates API: versioned saves with Liquid and MJML checks, versions, and a preview for a profile. */
export function registerTemplateRoutes(app: FastifyInstance, deps: TemplateRouteDeps): void {
  const save = async (body: Record<string, unknown>) => {
    const saved = await deps.templateService.save(body);
    if (saved.ok) return present(saved.value);
    if (saved.error.kind === 'invalid') throw HttpError.invalid(saved.error.issues);
    throw HttpError.invalid(
      saved.error.issues.map((i) => ({
        path: `$.${i.field}`,
        rule: i.kind,
        message: i.line === undefined ? i.message : `${i.message} (line ${i.line}, column ${i.column})`,
      })),
    );
  };
  const load = async (id: string, version?: number) => {
    const t = await deps.templates.getTemplate(id, version);
    if (!t) throw new HttpError('not_found', `no template ${id}${version ? ` version ${version}` : ''}`);
    return t;
  };

  defineRoute(app, {
    method: 'POST',
    url: '/api/templates',
    summary:
      'Save a template as a new version (MJML compiled now; unknown Liquid variables and filters refused)',
    tags: ['templates'],
    security: 'admin',
    body: templateBody,
    handler: async ({ body, reply }) => {
      const out = await save(body);
      void reply.status(201);
      return out;
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/templates/:id',
    summary: 'Save a new version of a template',
    tags: ['templates'],
    security: 'admin',
    params: idParams,
    body: z.object({}).loose(),
    handler: async ({ params, body }) => save({ ...body, id: params.id }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/templates',
    summary: 'Every template, latest version',
    tags: ['templates'],
    security: 'admin',
    handler: async () => ({ items: (await deps.templates.listTemplates()).map(present) }),
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/templates/:id',
    summary: 'The latest version of a template, and the list of its versions',
    tags: ['templates'],
    security: 'admin',
    params: idParams,
    handler: async ({ params }) => {
      const t = await load(params.id);
      const versions = await deps.templates.listVersions(params.id);
      return {
        ...present(t),
        versions: versions.map((v) => ({ ...v, createdAt: new Date(v.createdAt).toISOString() })),
      };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/templates/:id/versions/:version',
    summary: 'One version of a template',
    tags: ['templates'],
    security: 'admin',
    params: idParams.extend({ version: z.coerce.number().int().positive() }),
    handler: async ({ params }) => present(await load(params.id, params.version)),
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/templates/:id/preview',
    summary: 'Render one channel and locale variant for a profile (traits, computed traits, sample event)',
    tags: ['templates'],
    security: 'admin',
    params: idParams,
    body: z.object({
      profileId: z.string().min(1).max(200),
      channel: messageChannelSchema,
      locale: z.string().max(35).optional(),
      version: z.number().int().positive().optional(),
      event: z.record(z.string(), z.unknown()).optional(),
      context: z.record(z.string(), z.unknown()).optional(),
    }),
    handler: async ({ params, body }) => {
      const r = await deps.templateService.preview({ ...body, id: params.id });
      if (r === 'no-template') throw new HttpError('not_found', `no template ${params.id}`);
      if (r === 'no-profile')
        throw HttpError.invalid([{ path: '$.profileId', rule: 'exists', message: 'no such profile' }]);
      if (!r.ok)
        throw HttpError.invalid([{ path: '$.channel', rule: r.error.code, message: r.error.message }]);
      return { rendered: r.value };
    },
  });
}
