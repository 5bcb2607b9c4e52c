import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const track = (i: number, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  userId: `user-${i}`,
  event: 'Product Viewed',
  messageId: `m-${i}-${Math.random()}`,
  properties: { product_id: `p${i}` },
  ...extra,
});

async function expectError(res: Response, status: number, issues?: [string, string][]) {
  assert.equal(res.status, status);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = (await res.json()) as {
    error: { code: string; message: string; issues?: { path: string; rule: string }[] };
  };
  assert.equal(typeof body.error.message, 'string');
  if (issues)
    assert.deepEqual(
      body.error.issues?.map((i) => [i.path, i.rule]),
      issues,
    );
  return body;
}

describe('ingestion API', () => {
  let rt: TestRuntime;
  before(async () => {
    rt = await startTestRuntime();
  });
  after(async () => rt.close());

  const storedCount = async () => {
    await rt.settle();
    return rt.store.countEvents();
  };

  test('every endpoint accepts its type and answers {success: true}', async () => {
    const base = { userId: 'ep-user', anonymousId: 'ep-anon' };
    const calls: [string, Record<string, unknown>][] = [
      ['/v1/track', { ...base, event: 'Order Completed' }],
      ['/v1/identify', { ...base, traits: { email: 'ep@example.com' } }],
      ['/v1/page', { ...base, name: 'Home' }],
      ['/v1/screen', { ...base, name: 'Cart' }],
      ['/v1/group', { ...base, groupId: 'acme', traits: { name: 'Acme' } }],
      ['/v1/alias', { previousId: 'ep-old', userId: 'ep-user' }],
      ['/v1/batch', { batch: [{ type: 'track', ...base, event: 'x' }] }],
      ['/v1/import', { batch: [{ type: 'track', ...base, event: 'y' }] }],
    ];
    const before = await storedCount();
    for (const [path, body] of calls) {
      const res = await rt.send(path, body);
      assert.equal(res.status, 200, path);
      assert.deepEqual(await res.json(), { success: true });
    }
    assert.equal(await storedCount(), before + calls.length);
    const profile = await rt.admin(
      '/api/profiles/' + encodeURIComponent((await rt.admin('/api/profiles?q=ep-user')).body.items[0].id),
    );
    assert.deepEqual(profile.body.groups.acme.traits, { name: 'Acme' });
  });

  test('bodies may be gzipped and labelled with any content type', async () => {
    const before = await storedCount();
    const body = gzipSync(JSON.stringify({ batch: [track(1), track(2)] }));
    const res = await rt.send('/v1/batch', body, {
      'content-type': 'application/x-www-form-urlencoded',
      'content-encoding': 'gzip',
    });
    assert.equal(res.status, 200);
    const plain = await rt.send('/v1/track', JSON.stringify(track(3)), { 'content-type': 'text/plain' });
    assert.equal(plain.status, 200);
    assert.equal(await storedCount(), before + 3);
  });

  test('the write key may come in the batch body; unknown or missing keys get 401', async () => {
    const res = await fetch(`${rt.url}/v1/batch`, {
      method: 'POST',
      body: JSON.stringify({ writeKey: rt.writeKey, batch: [track(4)] }),
    });
    assert.equal(res.status, 200);
    await expectError(
      await fetch(`${rt.url}/v1/track`, { method: 'POST', body: JSON.stringify(track(5)) }),
      401,
    );
    const wrong = `Basic ${Buffer.from('nope:').toString('base64')}`;
    await expectError(
      await fetch(`${rt.url}/v1/track`, {
        method: 'POST',
        headers: { authorization: wrong },
        body: JSON.stringify(track(5)),
      }),
      401,
    );
  });

  test('a messageId seen before is answered 200 and stored once, whichever endpoint it came through', async () => {
    const before = await storedCount();
    const m = track(6, { messageId: 'dup-1' });
    assert.equal((await rt.send('/v1/track', m)).status, 200);
    assert.equal((await rt.send('/v1/batch', { batch: [m, m] })).status, 200);
    assert.equal((await rt.send('/v1/import', { batch: [m] })).status, 200);
    assert.equal(await storedCount(), before + 1);
  });

  test('every 400 names the field and the rule, and stores nothing of that request', async () => {
    const before = await storedCount();
    const ok = track(7);
    await expectError(await rt.send('/v1/batch', '{"batch": [', {}), 400, [['$', 'json']]);
    await expectError(await rt.send('/v1/batch', { batch: [ok, { type: 'track', event: 'x' }] }), 400, [
      ['$.batch[1].userId', 'identity_required'],
    ]);
    await expectError(await rt.send('/v1/track', { userId: 'u', event: 42 }), 400, [
      ['$.event', 'type:string'],
    ]);
    await expectError(await rt.send('/v1/track', { userId: 'u' }), 400, [['$.event', 'required']]);
    await expectError(await rt.send('/v1/identify', { userId: 'u', traits: [] }), 400, [
      ['$.traits', 'type:record'],
    ]);
    await expectError(
      await rt.send('/v1/track', { userId: 'u', event: 'x', timestamp: 'last tuesday' }),
      400,
      [['$.timestamp', 'type']],
    );
    await expectError(await rt.send('/v1/alias', { userId: 'u' }), 400, [['$.previousId', 'required']]);
    await expectError(await rt.send('/v1/batch', { batch: [ok, { type: 'bogus', userId: 'u' }] }), 400, [
      ['$.batch[1].type', 'type'],
    ]);
    await expectError(await rt.send('/v1/track', { type: 'page', userId: 'u', event: 'x' }), 400, [
      ['$.type', 'enum'],
    ]);
    await expectError(
      await rt.send('/v1/batch', {
        batch: Array.from({ length: 2501 }, (_, i) => ({ type: 'track', userId: 'u', event: `e${i}` })),
      }),
      400,
      [['$.batch', 'max:2500']],
    );
    const big = 'x'.repeat(33 * 1024);
    await expectError(await rt.send('/v1/track', track(8, { properties: { big } })), 400, [
      ['$', 'max_bytes:32768'],
    ]);
    await expectError(await rt.send('/v1/batch', { batch: [ok, track(9, { properties: { big } })] }), 400, [
      ['$.batch[1]', 'max_bytes:32768'],
    ]);
    const many = Array.from({ length: 20 }, (_, i) =>
      track(100 + i, { properties: { pad: 'y'.repeat(30 * 1024) } }),
    );
    await expectError(await rt.send('/v1/batch', { batch: many }), 400, [['$', 'max_bytes:512000']]);
    await expectError(
      await rt.send('/v1/batch', gzipSync(JSON.stringify({ batch: many })), { 'content-encoding': 'gzip' }),
      400,
      [['$', 'max_bytes:512000']],
    );
    // The limit is on a message as sent, in UTF-8: two-byte letters count twice...
    const wide = 'ş'.repeat(16_500);
    await expectError(await rt.send('/v1/batch', { batch: [ok, track(10, { properties: { wide } })] }), 400, [
      ['$.batch[1]', 'max_bytes:32768'],
    ]);
    // ...and what Orkestra adds (the batch's context, received time, message id) does not count.
    const justUnder = track(11, { properties: { pad: 'z'.repeat(32 * 1024 - 200) } });
    assert.ok(Buffer.byteLength(JSON.stringify(justUnder)) <= 32 * 1024);
    const sharedContext = {
      context: { library: { name: 'analytics-node', version: '2.0.0' }, note: 'c'.repeat(500) },
    };
    const accepted = await rt.send('/v1/batch', { batch: [justUnder], ...sharedContext });
    assert.equal(accepted.status, 200, await accepted.text());
    await expectError(await rt.send('/v1/batch', 'not gzip', { 'content-encoding': 'gzip' }), 400);
    await expectError(await rt.send('/v1/batch', { batch: 'nope' }), 400, [['$.batch', 'type:array']]);
    assert.equal(await storedCount(), before + 1, 'nothing of a refused request is stored');
  });

  test('the admin API and unknown routes answer JSON errors', async () => {
    assert.equal((await fetch(`${rt.url}/api/profiles`)).status, 401);
    const missing = await rt.admin('/api/profiles/prf_nobody');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
    const bad = await rt.admin('/api/profiles?limit=0');
    assert.equal(bad.status, 400);
    assert.deepEqual(
      bad.body.error.issues.map((i: { path: string }) => i.path),
      ['$.query.limit'],
    );
    assert.equal((await rt.admin('/api/profiles?cursor=zzz')).status, 400);
    assert.equal((await rt.admin('/nowhere')).status, 404);
  });

  test('the OpenAPI document describes ingestion and the admin API, and the docs page is served', async () => {
    const doc = (await (await fetch(`${rt.url}/openapi.json`)).json()) as { paths: Record<string, any> };
    for (const path of [
      '/v1/track',
      '/v1/batch',
      '/v1/import',
      '/api/profiles',
      '/api/profiles/{id}',
      '/api/profiles/{id}/events',
    ]) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    assert.deepEqual(
      doc.paths['/v1/track'].post.requestBody.content['application/json'].schema.required.sort(),
      ['event', 'type'],
    );
    assert.equal((await fetch(`${rt.url}/docs`)).status, 200);
  });
});

describe('rate limiting', () => {
  test('over the per-key limit answers 429 with Retry-After, and nothing of it is stored', async () => {
    const rt = await startTestRuntime({ rateLimit: { perSecond: 10, burst: 20 } });
    try {
      const batch = (n: number) => ({ batch: Array.from({ length: n }, (_, i) => track(1000 + i)) });
      assert.equal((await rt.send('/v1/batch', batch(15))).status, 200);
      const res = await rt.send('/v1/batch', batch(10));
      await expectError(res, 429);
      assert.ok(Number(res.headers.get('retry-after')) >= 1);
      await rt.settle();
      assert.equal(await rt.store.countEvents(), 15);
    } finally {
      await rt.close();
    }
  });
});
