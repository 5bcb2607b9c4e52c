import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callAdmin } from '../../src/cli/admin-client.js';
import { DEFAULT_CONFIG, startRuntime, type Runtime, type RuntimeConfig } from '../../src/cli/runtime.js';

export interface TestRuntime extends Runtime {
  /** POST to the ingest API with the write key. */
  send(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** GET/DELETE on the admin API with the admin key; returns status and parsed JSON. */
  admin(path: string, method?: string): Promise<{ status: number; body: any }>;
  /**
   * Any method on the admin API with the admin key and an optional JSON body; the status, and the
   * body parsed when it is JSON (as text otherwise: CSV exports, pages).
   */
  call(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  /** Waits until the engine has applied everything in the inbox. */
  settle(): Promise<void>;
}

/** Starts Orkestra on a free loopback port with a fresh data directory; `close()` removes it. */
export async function startTestRuntime(overrides: Partial<RuntimeConfig> = {}): Promise<TestRuntime> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-test-'));
  const runtime = await startRuntime({
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    dataDir,
    writeKey: 'test-write-key',
    adminKey: 'test-admin-key',
    ...overrides,
  });
  const basic = `Basic ${Buffer.from(`${runtime.writeKey}:`).toString('base64')}`;
  // The CLI's admin client: Bearer admin key, JSON body, the answer parsed when it is JSON.
  const call = async (method: string, path: string, body?: unknown) =>
    (await callAdmin(runtime, method, path, body)) as { status: number; body: any };
  return {
    ...runtime,
    send: (path, body, headers = {}) =>
      fetch(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body),
      }),
    admin: (path, method = 'GET') => call(method, path),
    call,
    settle: () => runtime.engine.drain(),
    close: async () => {
      await runtime.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
