import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EpochMs } from '../src/core/brand.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const T0 = Date.parse('2024-06-10T12:00:00Z');

describe('the segment change feed', () => {
  let rt: TestRuntime;
  before(async () => {
    rt = await startTestRuntime({ clock: () => T0 as EpochMs });
  });
  after(async () => rt.close());

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const order = (userId: string) => ({
    type: 'track',
    userId,
    event: 'Order Completed',
    properties: { revenue: 20 },
    timestamp: new Date(T0).toISOString(),
  });

  test('lists entries and exits in order, and a long poll answers as soon as one is committed', async () => {
    const created = await call('POST', '/api/segments', {
      id: 'buyers',
      name: 'Ordered once',
      condition: { type: 'event', event: 'Order Completed', window: { kind: 'ever' } },
    });
    assert.equal(created.status, 200);
    const empty = await call('GET', '/api/segment-changes');
    assert.deepEqual(empty.body, { items: [], next: 0 });

    const waiting = call('GET', '/api/segment-changes?after=0&wait=20000');
    const started = performance.now();
    assert.equal((await rt.send('/v1/batch', { batch: [order('ada')] })).status, 200);
    const answer = await waiting;
    assert.ok(performance.now() - started < 10_000, 'answered on the commit, not at the deadline');
    assert.equal(answer.status, 200);
    const ada = (await rt.admin('/api/profiles?q=ada')).body.items[0].id as string;
    assert.equal(answer.body.items.length, 1);
    assert.deepEqual(answer.body.items[0], {
      id: answer.body.next,
      segmentId: 'buyers',
      profileId: ada,
      entered: true,
      at: new Date(T0).toISOString(),
    });

    await rt.send('/v1/batch', { batch: [order('bob')] });
    await rt.settle();
    const rest = await call('GET', `/api/segment-changes?after=${answer.body.next}`);
    assert.deepEqual(
      rest.body.items.map((c: { segmentId: string; entered: boolean }) => [c.segmentId, c.entered]),
      [['buyers', true]],
    );
    assert.ok(rest.body.next > answer.body.next);
    const none = await call('GET', `/api/segment-changes?after=${rest.body.next}&wait=0`);
    assert.deepEqual(none.body, { items: [], next: rest.body.next });
  });

  test('refuses a bad position or limit, naming the field', async () => {
    const bad = await call('GET', '/api/segment-changes?after=-1&limit=0');
    assert.equal(bad.status, 400);
    const paths = (bad.body.error.issues as { path: string }[]).map((i) => i.path).sort();
    assert.deepEqual(paths, ['$.query.after', '$.query.limit']);
    const unauthorised = await fetch(`${rt.url}/api/segment-changes`);
    assert.equal(unauthorised.status, 401);
  });
});
