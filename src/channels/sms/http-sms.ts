import { z } from 'zod';
import { accepted, type ChannelProvider, type Clock } from '../channel.js';
import { failureFromNetwork, failureFromResponse, parseJson, sendHttp } from '../http/send-http.js';
import { createLiquidEngine } from '../render/liquid-engine.js';

/**
 * A generic HTTP SMS provider, defined as data, so any local provider can be added without code.
 * `url` and `body` are Liquid over `{ to, from, body, idempotencyKey }`; use `| url_encode` in form
 * bodies and `| json` in JSON bodies.
 *
 * @example
 * { name: 'netgsm', url: 'https://api.example/sms', auth: { type: 'bearer', token: 't' }, contentType: 'application/json',
 *   body: '{"to":{{ to | json }},"text":{{ body | json }}}', messageIdPath: 'data.id' }
 */
export const httpSmsDefinitionSchema = z.object({
  name: z.string().regex(/^[a-z0-9-]+$/),
  method: z.enum(['POST', 'GET', 'PUT']).default('POST'),
  url: z.string().min(1),
  auth: z
    .discriminatedUnion('type', [
      z.object({ type: z.literal('basic'), username: z.string(), password: z.string() }),
      z.object({ type: z.literal('bearer'), token: z.string() }),
      z.object({ type: z.literal('header'), name: z.string(), value: z.string() }),
    ])
    .optional(),
  headers: z.record(z.string(), z.string()).optional(),
  contentType: z.string().default('application/json'),
  body: z.string().default(''),
  from: z.string().optional(),
  /** Dotted path of the provider's message id in a JSON answer (`data.id`, `messages.0.id`). */
  messageIdPath: z.string().optional(),
  /**
   * The provider drops a repeated request with the same idempotency key (sent in `headers` or `body`
   * through `{{ idempotencyKey }}`); only then is a send that was in doubt at a crash retried.
   */
  idempotent: z.boolean().default(false),
});
export type HttpSmsDefinition = z.input<typeof httpSmsDefinitionSchema>;

/** Reads a dotted path (`a.b.0.c`) from parsed JSON. */
export function readPath(value: unknown, path: string): unknown {
  let v = value;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

function authHeader(auth: z.infer<typeof httpSmsDefinitionSchema>['auth']): Record<string, string> {
  if (!auth) return {};
  switch (auth.type) {
    case 'basic':
      return {
        authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`,
      };
    case 'bearer':
      return { authorization: `Bearer ${auth.token}` };
    case 'header':
      return { [auth.name.toLowerCase()]: auth.value };
  }
}

/** SMS through a provider described by an {@link HttpSmsDefinition}. */
export function createHttpSms(
  definition: HttpSmsDefinition,
  options: { now?: Clock; timeoutMs?: number } = {},
): ChannelProvider<'sms'> {
  const def = httpSmsDefinitionSchema.parse(definition);
  const liquid = createLiquidEngine({ escapeHtml: false });
  const url = liquid.parse(def.url);
  const body = liquid.parse(def.body);
  const now = options.now ?? Date.now;
  return {
    channel: 'sms',
    name: def.name,
    idempotent: def.idempotent,
    async send(message) {
      const scope = {
        to: message.to,
        from: def.from ?? '',
        body: message.content.body,
        idempotencyKey: message.idempotencyKey,
      };
      const r = await sendHttp({
        url: String(await liquid.render(url, scope)).trim(),
        method: def.method,
        headers: {
          ...def.headers,
          ...authHeader(def.auth),
          ...(def.method === 'GET' ? {} : { 'content-type': def.contentType }),
        },
        ...(def.method === 'GET' ? {} : { body: String(await liquid.render(body, scope)) }),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      });
      if (!r.ok) return failureFromNetwork(def.name, r);
      if (r.response.status >= 300) return failureFromResponse(def.name, r.response, { now });
      const id = def.messageIdPath ? readPath(parseJson(r.response.text), def.messageIdPath) : undefined;
      return accepted(typeof id === 'string' || typeof id === 'number' ? String(id) : message.idempotencyKey);
    },
  };
}
