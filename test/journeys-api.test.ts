import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { EpochMs } from '../src/core/brand.js';
import { computeJourneyStats } from '../src/core/journeys/journey-stats.js';
import { SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2025-03-03T10:00:00Z');
const cart = JSON.parse(
  readFileSync(new URL('../journeys/abandoned-cart.json', import.meta.url), 'utf8'),
) as Record<string, unknown>;

describe('journeys through the API', () => {
  let rt: TestRuntime;
  let now = T0;
  before(async () => {
    rt = await startTestRuntime({ clock: () => now as EpochMs });
    // Publishing checks send nodes against the template store.
    for (const id of ['cart-reminder-1', 'cart-reminder-2-cross-sell'])
      assert.equal((await call('POST', '/api/templates', { ...SAMPLE_TEMPLATE, id })).status, 201);
  });
  after(async () => rt.close());

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const track = async (event: string, properties: Record<string, unknown>, userId = 'ada') => {
    const res = await rt.send('/v1/track', { userId, event, properties });
    assert.equal(res.status, 200);
    await rt.settle();
  };
  const advance = async (ms: number) => {
    now += ms;
    await rt.settle();
  };
  const runs = async (): Promise<any[]> => {
    const { body } = await call('GET', '/api/journeys/abandoned-cart/runs');
    return body.items as any[];
  };
  const sends = async () => rt.store.listSends({ journeyId: 'abandoned-cart', limit: 100 });

  test('validation names every problem', async () => {
    const broken = {
      ...cart,
      nodes: [...(cart.nodes as object[]), { id: 'orphan', type: 'exit' }],
      edges: (cart.edges as { from: string }[]).filter((e) => e.from !== 'reminder'),
    };
    const { body } = await call('POST', '/api/journeys/abandoned-cart/validate', broken);
    assert.equal(body.valid, false);
    const codes = (body.problems as { code: string }[]).map((p) => p.code).sort();
    assert.deepEqual(codes, ['missing_branch', 'unreachable_node', 'unreachable_node', 'unreachable_node']);
    const refused = await call('POST', '/api/journeys/abandoned-cart/publish', { definition: broken });
    assert.equal(refused.status, 400);
    assert.equal(refused.body.error.issues.length, 4);
    assert.equal(refused.body.error.issues[0].rule, 'missing_branch');
  });

  test('abandoned cart: a reminder after an hour; the order converts, ends the run and stops the second send', async () => {
    const published = await call('POST', '/api/journeys/abandoned-cart/publish', { definition: cart });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    assert.equal(published.body.version, 1);
    await rt.send('/v1/identify', { userId: 'ada', traits: { email: 'ada@example.com' } });
    await track('Product Added', { cartId: 'c1', sku: 'shoe' });
    await track('Product Added', { cartId: 'c1', sku: 'sock' });
    let [run] = await runs();
    assert.equal((await runs()).length, 1, 'a second item in the same cart starts no second run');
    assert.equal(run.nodeId, 'wait-for-order');
    await advance(HOUR - 1000);
    assert.equal((await sends()).length, 0, 'never early');
    await advance(1000);
    [run] = await runs();
    assert.equal(run.nodeId, 'wait-a-day');
    const planned = await sends();
    assert.deepEqual(
      planned.map((s) => [s.idempotencyKey.endsWith(':reminder:email'), s.channel, s.target]),
      [[true, 'email', 'cart-reminder-1']],
    );
    now += 60_000;
    await track('Order Completed', { cartId: 'c1', revenue: 59.9 });
    [run] = await runs();
    assert.equal(run.status, 'ended');
    assert.equal(run.endReason, 'goal');
    assert.equal(run.convertedAt, now);
    await advance(2 * DAY);
    assert.equal((await sends()).length, 1, 'no second send after the order');
  });

  test('two carts are two runs; each gets its own reminders', async () => {
    await track('Product Added', { cartId: 'c2' });
    await track('Product Added', { cartId: 'c3' });
    await track('Order Completed', { cartId: 'c2', revenue: 10 });
    const all = await runs();
    assert.equal(all.length, 3);
    const byKey = Object.fromEntries(all.map((r) => [r.runKey, r]));
    assert.equal(byKey.c2.endReason, 'goal', 'the order for c2 converts c2 only');
    assert.equal(byKey.c3.status, 'active');
    await advance(HOUR);
    await advance(DAY);
    const c3 = (await runs()).find((r) => r.runKey === 'c3');
    assert.equal(c3.status, 'ended');
    assert.equal(c3.endReason, 'completed');
    const keys = (await sends()).map((s) => s.idempotencyKey.split(':').slice(1).join(':'));
    assert.deepEqual(
      keys.sort(),
      ['cross-sell-reminder:push', 'reminder:email', 'reminder:email']
        .sort()
        .map((k) => k.replace('push', 'email')),
    );
  });

  test('stats per node and per journey', async () => {
    const { body } = await call('GET', '/api/journeys/abandoned-cart/stats');
    assert.deepEqual([body.started, body.active, body.converted, body.revenue], [3, 0, 2, 69.9]);
    assert.equal(body.nodes['wait-for-order'].entered, 3);
    assert.deepEqual(
      body.nodes['wait-for-order'].branches,
      { timeout: 2 },
      'the goal ended c2 before the wait',
    );
    assert.equal(body.nodes['wait-for-order'].exited, 1);
    assert.equal(body.nodes['wait-a-day'].exited, 1);
    assert.equal(body.nodes.reminder.messages, 2);
    assert.equal(body.nodes.done.exited, 1);
    assert.equal(body.nodes.reminder.converted, 1);
  });

  test('simulation replays the stored window on a virtual clock and sends nothing', async () => {
    const before = (await sends()).length;
    const { status, body } = await call('POST', '/api/journeys/abandoned-cart/simulate', {
      from: new Date(T0).toISOString(),
      to: new Date(now).toISOString(),
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.entered, 3);
    assert.equal(body.converted, 2);
    assert.equal(body.messages.email, 3);
    assert.equal(body.nodes.reminder.reached, 2);
    assert.equal((await sends()).length, before);
  });

  test('a segment-triggered journey starts on Segment Entered, and its simulation finds the same entries in the membership history', async () => {
    const from = now;
    const segment = await call('POST', '/api/segments', {
      id: 'big-orders',
      name: 'An order of 500 or more',
      condition: {
        type: 'event',
        event: 'Order Completed',
        where: [{ property: 'revenue', op: 'gte', value: 500 }],
        window: { kind: 'ever' },
        compare: { op: 'gte', value: 1 },
      },
    });
    assert.equal(segment.status, 200, JSON.stringify(segment.body));
    const vip = {
      id: 'vip-welcome',
      name: 'VIP welcome',
      trigger: { type: 'segment', segmentId: 'big-orders', on: 'entered' },
      reEntry: { mode: 'never' },
      nodes: [
        { id: 'start', type: 'entry' },
        { id: 'hello', type: 'send', template: 'cart-reminder-1', channel: 'log', category: 'transactional' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'start', to: 'hello' },
        { from: 'hello', to: 'done' },
      ],
    };
    const published = await call('POST', '/api/journeys/vip-welcome/publish', { definition: vip });
    assert.equal(published.status, 200, JSON.stringify(published.body));
    await advance(HOUR);
    await track('Order Completed', { orderId: 'v1', revenue: 900 }, 'vip-1');
    await track('Order Completed', { orderId: 'v2', revenue: 20 }, 'not-vip');
    await track('Order Completed', { orderId: 'v3', revenue: 650 }, 'vip-2');
    const live = (await call('GET', '/api/journeys/vip-welcome/runs')).body.items as any[];
    assert.equal(live.length, 2, 'two people entered the segment, two runs started');
    // The changes are kept once, as membership history, and shown in the timeline from there.
    const profile = (await call('GET', '/api/profiles?q=vip-1')).body.items[0];
    const timeline = (await call('GET', `/api/profiles/${profile.id}/events`)).body.items as {
      event: string;
      properties: Record<string, unknown>;
    }[];
    assert.deepEqual(
      timeline.slice(0, 2).map((e) => [e.event, e.properties.segment_id ?? e.properties.orderId]),
      [
        ['Segment Entered', 'big-orders'],
        ['Order Completed', 'v1'],
      ],
    );
    const { status, body } = await call('POST', '/api/journeys/vip-welcome/simulate', {
      from: new Date(from).toISOString(),
      to: new Date(now).toISOString(),
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.entered, 2, JSON.stringify(body));
  });

  test('an API start is idempotent by key and carries its context', async () => {
    const welcome = {
      id: 'api-hello',
      name: 'Hello by API',
      trigger: { type: 'api' },
      reEntry: { mode: 'after_previous_ends', maxConcurrent: 5 },
      nodes: [
        { id: 'start', type: 'entry' },
        { id: 'hello', type: 'send', template: 'hello', channel: 'log', category: 'transactional' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'start', to: 'hello' },
        { from: 'hello', to: 'done' },
      ],
    };
    assert.equal(
      (await call('POST', '/api/journeys/api-hello/publish', { definition: welcome })).status,
      200,
    );
    const again = await call('POST', '/api/journeys/api-hello/publish', {
      definition: welcome,
      onlyIfChanged: true,
    });
    assert.equal(again.body.changed, false);
    const body = { userId: 'bob', idempotencyKey: 'order-77', context: { orderId: 77 } };
    const first = await call('POST', '/api/journeys/api-hello/runs', body);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.status, 'started');
    assert.equal(first.body.run.status, 'ended');
    assert.deepEqual(first.body.run.context.payload, { orderId: 77 });
    const second = await call('POST', '/api/journeys/api-hello/runs', body);
    assert.equal(second.body.run.runId, first.body.run.runId);
    assert.equal(second.body.duplicate, true);
    const bad = await call('POST', '/api/journeys/api-hello/runs', { idempotencyKey: 'x' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.issues[0].path, '$.userId');
  });

  test('publishing refuses a send naming a template the store does not have, naming node and path', async () => {
    const definition = {
      id: 'no-template',
      name: 'No template',
      trigger: { type: 'event', event: 'Signed Up' },
      nodes: [
        { id: 'start', type: 'entry' },
        { id: 'greet', type: 'send', template: 'nope', channel: 'email' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'start', to: 'greet' },
        { from: 'greet', to: 'done' },
      ],
    };
    const refused = await call('POST', '/api/journeys/no-template/publish', { definition });
    assert.equal(refused.status, 400);
    const [issue] = refused.body.error.issues as { path: string; rule: string; message: string }[];
    assert.deepEqual([issue!.path, issue!.rule], ['$.nodes[1].template', 'unknown_template']);
    assert.match(issue!.message, /greet.*nope/);
  });

  test('a cart run started anonymously continues on the known profile after identify, and converts', async () => {
    await rt.send('/v1/identify', { userId: 'cleo', traits: { email: 'cleo@example.com' } });
    await rt.send('/v1/track', {
      anonymousId: 'anon-1',
      event: 'Product Added',
      properties: { cartId: 'a1' },
    });
    await rt.send('/v1/track', {
      anonymousId: 'anon-2',
      event: 'Product Added',
      properties: { cartId: 'a2' },
    });
    await rt.settle();
    const before = (await runs()).filter((r) => r.runKey === 'a1' || r.runKey === 'a2');
    assert.equal(before.length, 2);
    await rt.send('/v1/identify', { userId: 'cleo', anonymousId: 'anon-1' });
    await rt.settle();
    await track('Order Completed', { cartId: 'a1', revenue: 20 }, 'cleo');
    // Identify and the order in one batch: the run moves and converts in the same transaction.
    await rt.send('/v1/batch', {
      batch: [
        { type: 'identify', userId: 'cleo', anonymousId: 'anon-2' },
        { type: 'track', userId: 'cleo', event: 'Order Completed', properties: { cartId: 'a2', revenue: 5 } },
      ],
    });
    await rt.settle();
    const cleo = (await rt.admin('/api/profiles?q=cleo')).body.items[0].id as string;
    for (const key of ['a1', 'a2']) {
      const run = (await runs()).find((r) => r.runKey === key);
      assert.equal(run.profileId, cleo, `${key} moved to the survivor`);
      assert.equal(run.endReason, 'goal', `${key} converted`);
    }
    const { body } = await call('GET', `/api/profiles/${cleo}/journey-runs`);
    assert.equal(body.items.length, 2);
  });

  test('the counters behind stats equal a recount from the runs', async () => {
    const { body } = await call('GET', '/api/journeys/abandoned-cart/stats');
    const recount = computeJourneyStats(await rt.store.journeyActivity('abandoned-cart'));
    assert.deepEqual(body, JSON.parse(JSON.stringify(recount)));
  });
});
