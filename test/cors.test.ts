import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const ORIGIN = 'https://shop.example';

describe('CORS for the browser-facing /v1 routes', () => {
  let rt: TestRuntime;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
  });
  after(() => rt.close());

  test('a preflight to /v1/batch is answered 204 with what the browser asked for', async () => {
    const res = await fetch(`${rt.url}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type',
      },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(res.headers.get('access-control-allow-methods'), 'GET, POST, OPTIONS');
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    for (const name of ['authorization', 'content-type', 'content-encoding', 'x-orkestra-user-token'])
      assert.ok(allowed.includes(name), `${name} in ${allowed.join(', ')}`);
    assert.equal(res.headers.get('access-control-max-age'), '86400');
    assert.match(res.headers.get('vary') ?? '', /\bOrigin\b/);
    assert.equal(await res.text(), '');
  });

  test('a preflight without an Origin allows any origin, and echoes unusual requested headers', async () => {
    const res = await fetch(`${rt.url}/v1/inbox/stream?userId=ayse`, {
      method: 'OPTIONS',
      headers: { 'access-control-request-headers': 'X-Custom-Thing' },
    });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-headers') ?? '', /\bx-custom-thing\b/);
  });

  test('answers under /v1 carry Access-Control-Allow-Origin, errors included', async () => {
    const accepted = await rt.send('/v1/track', { userId: 'u1', event: 'Viewed' }, { origin: ORIGIN });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.headers.get('access-control-allow-origin'), ORIGIN);
    assert.match(accepted.headers.get('vary') ?? '', /\bOrigin\b/);

    // analytics.js posts text/plain (a "simple" request, no preflight): the browser still needs the header.
    const unauthorized = await fetch(`${rt.url}/v1/track`, {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'text/plain' },
      body: JSON.stringify({ userId: 'u1', event: 'Viewed' }),
    });
    assert.equal(unauthorized.status, 401);
    assert.equal(unauthorized.headers.get('access-control-allow-origin'), ORIGIN);
    assert.equal(((await unauthorized.json()) as any).error.code, 'unauthorized');

    const invalid = await rt.send('/v1/track', { userId: 'u1' }, { origin: ORIGIN });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.headers.get('access-control-allow-origin'), ORIGIN);

    const stream = await fetch(`${rt.url}/v1/inbox/stream?userId=ayse`, { headers: { origin: ORIGIN } });
    assert.equal(stream.status, 401);
    assert.equal(stream.headers.get('access-control-allow-origin'), ORIGIN);
  });

  test('the inbox event stream, written past Fastify, carries it too', async () => {
    assert.equal((await rt.send('/v1/identify', { userId: 'ayse' })).status, 200);
    await rt.settle();
    const issued = await fetch(`${rt.url}/api/inbox/tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'ayse' }),
    });
    const { token } = (await issued.json()) as { token: string };
    const controller = new AbortController();
    const query = `userId=ayse&writeKey=${rt.writeKey}&userToken=${token}`;
    const stream = await fetch(`${rt.url}/v1/inbox/stream?${query}`, {
      headers: { origin: ORIGIN },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(stream.headers.get('access-control-allow-origin'), ORIGIN);
    controller.abort();
  });

  test('the admin API gets no CORS headers', async () => {
    const preflight = await fetch(`${rt.url}/api/profiles`, {
      method: 'OPTIONS',
      headers: { origin: ORIGIN, 'access-control-request-method': 'GET' },
    });
    assert.notEqual(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), null);
    assert.equal(preflight.headers.get('access-control-allow-methods'), null);

    const list = await fetch(`${rt.url}/api/profiles`, {
      headers: { origin: ORIGIN, authorization: `Bearer ${rt.adminKey}` },
    });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('access-control-allow-origin'), null);
  });

  test('the OpenAPI document has no OPTIONS operations', async () => {
    const doc = (await (await fetch(`${rt.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    assert.ok(doc.paths['/v1/batch']?.post, 'the real operations are there');
    const options = Object.entries(doc.paths).filter(([, ops]) => 'options' in ops);
    assert.deepEqual(
      options.map(([path]) => path),
      [],
    );
    assert.equal(doc.paths['/v1/*'], undefined);
  });
});
