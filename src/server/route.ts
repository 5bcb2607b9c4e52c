import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { issuesFromZod } from '../core/messages/validation-error.js';
import { HttpError } from './http-error.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly security?: 'admin' | 'writeKey';
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** A body schema to publish without validating through it (the handler validates in its own way). */
  readonly documentedBody?: z.ZodType;
  /** Documented 200 answer. */
  readonly response?: z.ZodType;
  readonly maxBodyBytes?: number;
  readonly handler: (input: {
    params: z.output<P>;
    query: z.output<Q>;
    body: z.output<B>;
    request: FastifyRequest;
    reply: FastifyReply;
  }) => Promise<unknown>;
}

/** JSON Schema for the OpenAPI document, from the same zod schema that validates the request. */
export function toOpenApiSchema(schema: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'openapi-3.0' });
}

function parseWith<T extends z.ZodType>(schema: T | undefined, value: unknown, prefix: string): z.output<T> {
  if (!schema) return value as z.output<T>;
  const result = schema.safeParse(value ?? (prefix === '$' ? undefined : {}));
  if (!result.success) throw HttpError.invalid(issuesFromZod(result.error, prefix, value));
  return result.data;
}

const errorSchema = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      properties: {
        code: { type: 'string' },
        message: { type: 'string' },
        issues: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
  },
};

/**
 * Registers a route whose params, query and body are validated by zod (errors become 400 with every
 * field named) and whose schemas are published in the OpenAPI document. Fastify's own validator is
 * off (see `createServer`): zod is the one source of truth.
 */
export function defineRoute<
  P extends z.ZodType = z.ZodUnknown,
  Q extends z.ZodType = z.ZodUnknown,
  B extends z.ZodType = z.ZodUnknown,
>(app: FastifyInstance, spec: RouteSpec<P, Q, B>): void {
  const schema: Record<string, unknown> = {
    summary: spec.summary,
    tags: spec.tags,
    response: {
      200: spec.response ? toOpenApiSchema(spec.response) : { type: 'object', additionalProperties: true },
      400: errorSchema,
      ...(spec.security ? { 401: errorSchema } : {}),
    },
  };
  if (spec.params) schema.params = toOpenApiSchema(spec.params);
  if (spec.query) schema.querystring = toOpenApiSchema(spec.query);
  const bodySchema = spec.body ?? spec.documentedBody;
  if (bodySchema) schema.body = toOpenApiSchema(bodySchema);
  if (spec.security) schema.security = [spec.security === 'admin' ? { adminKey: [] } : { writeKey: [] }];
  app.route({
    method: spec.method,
    url: spec.url,
    schema,
    config: spec.maxBodyBytes ? { maxBodyBytes: spec.maxBodyBytes } : {},
    handler: async (request, reply) => {
      const params = parseWith(spec.params, request.params, '$.params');
      const query = parseWith(spec.query, request.query, '$.query');
      const body = parseWith(spec.body, request.body, '$');
      return spec.handler({ params, query, body, request, reply });
    },
  });
}
