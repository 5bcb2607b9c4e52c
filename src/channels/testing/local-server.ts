import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the local provider stand-in received it. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
}

/** What the stand-in answers. */
export interface StubResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | object;
}

/** A local HTTP server on 127.0.0.1 (port 0) that records requests and answers from a handler. */
export interface LocalServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Replaces the handler, e.g. to answer 429 for the next test. */
  respond(handler: (req: RecordedRequest) => StubResponse): void;
  close(): Promise<void>;
}

/**
 * Starts a stand-in for a provider API, for tests: loopback only, no network.
 *
 * @example const server = await startLocalServer(() => ({ status: 201, body: { sid: 'SM1' } }));
 */
export async function startLocalServer(
  initial: (req: RecordedRequest) => StubResponse,
): Promise<LocalServer> {
  let handler = initial;
  const requests: RecordedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const recorded = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        text: body.toString('utf8'),
      };
      requests.push(recorded);
      const out = handler(recorded);
      const payload =
        out.body === undefined ? '' : typeof out.body === 'string' ? out.body : JSON.stringify(out.body);
      const type = typeof out.body === 'object' ? { 'content-type': 'application/json' } : {};
      res.writeHead(out.status, { ...type, ...out.headers });
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond: (next) => {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
