import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export interface CorsOptions {
  /** Paths that browsers on other origins may call (`/v1/`: ingestion from shop pages, the inbox). */
  readonly prefix: string;
}

/** Always allowed: what analytics.js, RudderStack's JS SDK and inbox widgets send. */
const ALWAYS_ALLOWED_HEADERS = ['authorization', 'content-type', 'content-encoding', 'x-orkestra-user-token'];
/** Browsers cap this themselves (Chromium at 2 h, Firefox at 24 h); a day saves a preflight per page. */
const PREFLIGHT_MAX_AGE_SECONDS = 86_400;

const isUnder = (request: FastifyRequest, prefix: string): boolean => request.url.startsWith(prefix);

/**
 * Echoes the caller's origin (`*` when it sent none). No cookies are involved (the write key and the user
 * token travel in headers or the query), so any origin gets no more than `*` would give it; `Vary: Origin`
 * keeps shared caches from serving one origin's answer to another (Fetch standard, “CORS protocol and HTTP caches”).
 */
function allowOrigin(request: FastifyRequest, reply: FastifyReply): void {
  const origin = request.headers.origin;
  void reply.header('access-control-allow-origin', origin ?? '*');
  void reply.header('vary', 'Origin');
}

/**
 * CORS (Fetch standard §3.2) for the routes browsers call from other origins, without a dependency:
 * preflight `OPTIONS` under `prefix` is answered 204, and every answer under it (errors included, so
 * the page can read why a call failed) carries `Access-Control-Allow-Origin`. Other paths, the admin
 * API among them, get no CORS headers, so browsers keep them same-origin.
 * @example registerCors(app, { prefix: '/v1/' });
 */
export function registerCors(app: FastifyInstance, options: CorsOptions): void {
  // onRequest, not onSend: headers set on the reply survive the error handler, and a route that hijacks
  // the reply (the inbox's event stream) can still copy them with `reply.getHeaders()`.
  app.addHook('onRequest', async (request, reply) => {
    if (isUnder(request, options.prefix)) allowOrigin(request, reply);
  });

  app.route({
    method: 'OPTIONS',
    url: `${options.prefix}*`,
    // A transport detail, not an operation: kept out of the OpenAPI document.
    schema: { hide: true },
    handler: async (request, reply) => {
      const requested = String(request.headers['access-control-request-headers'] ?? '')
        .split(',')
        .map((name) => name.trim().toLowerCase())
        .filter((name) => name !== '');
      const allowed = [...new Set([...ALWAYS_ALLOWED_HEADERS, ...requested])];
      return (
        reply
          .status(204)
          // The allowed headers echo the request's, so a cache must key on those too.
          .header('vary', 'Origin, Access-Control-Request-Headers')
          .header('access-control-allow-methods', 'GET, POST, OPTIONS')
          .header('access-control-allow-headers', allowed.join(', '))
          .header('access-control-max-age', String(PREFLIGHT_MAX_AGE_SECONDS))
          .send()
      );
    },
  });
}
