import { Agent, createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gunzipSync, inflateSync } from 'node:zlib';

/** What the proxy does with one request. */
export type ProxyAction =
  | { readonly kind: 'forward' }
  /**
   * Forwards the request and waits for the server's answer, then tells the client `status` instead: the
   * server has stored the messages, only the answer is lost, as when a connection drops after a commit.
   */
  | { readonly kind: 'lose-answer'; readonly status: number }
  /** Answers 429 with `Retry-After` without forwarding. */
  | { readonly kind: 'rate-limit'; readonly retryAfterSeconds: number };

/** One request as the proxy saw it. */
export interface ProxiedRequest {
  /** Milliseconds on the monotonic clock when the request had been read. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
  /** `messageId`s in the body, in order (one for a single call, many for a batch). */
  readonly messageIds: readonly string[];
  /** Which delivery of the same set of messages this is, from 1. */
  readonly attempt: number;
  /** Order in which this set of messages first arrived, from 0. */
  readonly batchIndex: number;
  readonly action: ProxyAction['kind'];
  /** What the server answered, when the request was forwarded. */
  readonly upstreamStatus: number | undefined;
  /** What the client was told. */
  readonly status: number;
}

export interface RecordingProxy {
  /** Base URL to give the client instead of the server's. */
  readonly url: string;
  /** Every request so far, in the order they were answered. */
  readonly requests: readonly ProxiedRequest[];
  close(): Promise<void>;
}

export interface RecordingProxyOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:4000`. */
  readonly target: string;
  /** Chooses what to do with a request; forwards everything when absent. */
  readonly decide?: (request: { readonly batchIndex: number; readonly attempt: number }) => ProxyAction;
}

function decode(body: Buffer, encoding: string | undefined): unknown {
  try {
    const raw = encoding === 'gzip' ? gunzipSync(body) : encoding === 'deflate' ? inflateSync(body) : body;
    return JSON.parse(raw.toString('utf8'));
  } catch {
    return undefined;
  }
}

function messageIdsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const b = body as { batch?: unknown; messageId?: unknown };
  const messages: unknown[] = Array.isArray(b.batch) ? b.batch : [b];
  return messages.flatMap((m) => {
    const id = (m as { messageId?: unknown } | null)?.messageId;
    return typeof id === 'string' ? [id] : [];
  });
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

/**
 * A loopback HTTP proxy that records every ingest request (content type, encoding, messageIds) and can
 * inject failures per set of messages: the same batch sent again is recognised by its messageIds, so a
 * plan such as "first delivery fails, second is rate limited, third passes" applies to each batch.
 * @example const proxy = await startRecordingProxy({ target: runtime.url }); new Analytics({ host: proxy.url });
 */
export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const target = new URL(options.target);
  const agent = new Agent({ keepAlive: false });
  const requests: ProxiedRequest[] = [];
  const attempts = new Map<string, { batchIndex: number; count: number }>();
  const started = performance.now();

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: { ...req.headers, host: target.host, connection: 'close' },
          agent,
        },
        (res) => {
          readAll(res).then((b) => resolve({ status: res.statusCode ?? 0, body: b }), reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const body = await readAll(req);
    const at = performance.now() - started;
    const contentEncoding = req.headers['content-encoding'];
    const messageIds = messageIdsOf(decode(body, contentEncoding));
    const key = messageIds.join(',');
    const seen = attempts.get(key) ?? { batchIndex: attempts.size, count: 0 };
    seen.count++;
    attempts.set(key, seen);
    const action = options.decide?.({ batchIndex: seen.batchIndex, attempt: seen.count }) ?? {
      kind: 'forward',
    };
    const record = {
      at,
      method: req.method ?? '',
      path: req.url ?? '',
      contentType: req.headers['content-type'],
      contentEncoding,
      messageIds,
      attempt: seen.count,
      batchIndex: seen.batchIndex,
      action: action.kind,
    };
    if (action.kind === 'rate-limit') {
      requests.push({ ...record, upstreamStatus: undefined, status: 429 });
      res.writeHead(429, {
        'content-type': 'application/json',
        'retry-after': String(action.retryAfterSeconds),
      });
      res.end(JSON.stringify({ error: { code: 'rate_limited', message: 'injected by the test proxy' } }));
      return;
    }
    let upstream: { status: number; body: Buffer };
    try {
      upstream = await forward(req, body);
    } catch (error) {
      requests.push({ ...record, upstreamStatus: undefined, status: 502 });
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${(error as Error).message}`);
      return;
    }
    if (action.kind === 'lose-answer') {
      requests.push({ ...record, upstreamStatus: upstream.status, status: action.status });
      res.writeHead(action.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'internal', message: 'injected by the test proxy' } }));
      return;
    }
    requests.push({ ...record, upstreamStatus: upstream.status, status: upstream.status });
    res.writeHead(upstream.status, { 'content-type': 'application/json' });
    res.end(upstream.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      res.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
