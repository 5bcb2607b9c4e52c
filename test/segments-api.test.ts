import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EpochMs } from '../src/core/brand.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.parse('2024-06-10T12:00:00Z');

describe('segments through the API', () => {
  let rt: TestRuntime;
  let now = T0;
  before(async () => {
    rt = await startTestRuntime({ clock: () => now as EpochMs });
  });
  after(async () => rt.close());

  const send = async (...batch: Record<string, unknown>[]) => {
    const res = await rt.send('/v1/batch', { batch });
    assert.equal(res.status, 200, await res.text());
    await rt.settle();
  };
  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const idOf = async (userId: string) =>
    (await rt.admin(`/api/profiles?q=${userId}`)).body.items[0].id as string;
  const members = async (segment: string) => {
    const { body } = await call('GET', `/api/segments/${segment}/members`);
    return (body.items as { userIds: string[] }[]).map((p) => p.userIds[0]).sort();
  };
  const order = (userId: string, daysAgo: number, revenue: number) => ({
    type: 'track',
    userId,
    event: 'Order Completed',
    properties: { revenue, category: 'Shoes' },
    timestamp: new Date(T0 - daysAgo * DAY).toISOString(),
  });

  test('a new segment is backfilled from history; preview counts before saving', async () => {
    await send(
      order('ada', 3, 120),
      order('bob', 12, 40),
      order('bob', 20, 60),
      order('cem', 45, 500),
      { type: 'identify', userId: 'ada', traits: { country: 'TR', email: 'ada@example.com' } },
      { type: 'identify', userId: 'bob', traits: { country: 'DE', email: 'bob@example.com' } },
      { type: 'identify', userId: 'dora', traits: { country: 'TR' } },
    );
    const condition = {
      type: 'and',
      conditions: [
        { type: 'event', event: 'Order Completed', window: { kind: 'last', amount: 30, unit: 'days' } },
        {
          type: 'not',
          condition: {
            type: 'event',
            event: 'Order Completed',
            window: { kind: 'last', amount: 7, unit: 'days' },
          },
        },
      ],
    };
    const preview = await call('POST', '/api/segments/preview', { condition, sample: 5 });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.count, 1);
    assert.deepEqual(preview.body.sample[0].userIds, ['bob']);
    const created = await call('POST', '/api/segments', {
      id: 'lapsing',
      name: 'Bought in 30 days, not in 7',
      condition,
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.version, 1);
    assert.equal(created.body.size, 1);
    assert.deepEqual(await members('lapsing'), ['bob']);
    const big = await call('POST', '/api/segments', {
      id: 'big-spenders',
      name: 'Revenue ≥ 100 in 90 days',
      condition: {
        type: 'event',
        event: 'Order Completed',
        window: { kind: 'last', amount: 90, unit: 'days' },
        measure: { of: 'sum', property: 'revenue' },
        compare: { op: 'gte', value: 100 },
      },
    });
    assert.equal(big.body.size, 3);
  });

  test('membership changes the moment an event arrives, and is recorded and emitted', async () => {
    await send(order('dora', 0, 15));
    assert.deepEqual(await members('big-spenders'), ['ada', 'bob', 'cem']);
    await send(order('dora', 0, 90));
    assert.deepEqual(await members('big-spenders'), ['ada', 'bob', 'cem', 'dora']);
    const dora = await idOf('dora');
    const seg = await call('GET', `/api/profiles/${dora}/segments`);
    assert.deepEqual(
      seg.body.current.map((c: { segmentId: string }) => c.segmentId),
      ['big-spenders'],
    );
    assert.deepEqual(
      seg.body.history.map((h: { segmentId: string; entered: boolean }) => [h.segmentId, h.entered]),
      [['big-spenders', true]],
    );
    const timeline = (await rt.admin(`/api/profiles/${dora}/events`)).body.items;
    assert.equal(timeline[0].event, 'Segment Entered');
    assert.deepEqual(timeline[0].properties, {
      segment_id: 'big-spenders',
      segment_name: 'Revenue ≥ 100 in 90 days',
    });
  });

  test('time alone moves people out at the moment a window expires', async () => {
    await call('POST', '/api/segments', {
      id: 'recent-viewers',
      name: 'Viewed a product in the last hour',
      condition: {
        type: 'event',
        event: 'Product Viewed',
        window: { kind: 'last', amount: 1, unit: 'hours' },
      },
    });
    await send({
      type: 'track',
      userId: 'eve',
      event: 'Product Viewed',
      timestamp: new Date(now).toISOString(),
    });
    const viewedAt = now;
    assert.deepEqual(await members('recent-viewers'), ['eve']);
    now = viewedAt + HOUR; // still inside the window
    await rt.settle();
    assert.deepEqual(await members('recent-viewers'), ['eve']);
    now = viewedAt + HOUR + 1; // the first millisecond after it
    await rt.settle();
    assert.deepEqual(await members('recent-viewers'), []);
    const history = await call('GET', `/api/profiles/${await idOf('eve')}/segments`);
    const exit = history.body.history.find((h: { entered: boolean }) => !h.entered);
    assert.equal(
      Date.parse(exit.at),
      viewedAt + HOUR + 1,
      'the exit is recorded at the moment the window expired',
    );
  });

  test('the "no order in 30 days" kind of segment fills up as time passes without any event', async () => {
    await call('POST', '/api/segments', {
      id: 'customers',
      name: 'Customers',
      condition: { type: 'event', event: 'Order Completed', window: { kind: 'ever' } },
    });
    await call('POST', '/api/segments', {
      id: 'dormant',
      name: 'Customers without an order in 30 days',
      condition: {
        type: 'and',
        conditions: [
          { type: 'segment', segmentId: 'customers', member: true },
          {
            type: 'event_time',
            event: 'Order Completed',
            which: 'last',
            op: 'not_within_last_days',
            days: 30,
          },
        ],
      },
    });
    assert.deepEqual(await members('dormant'), ['cem']);
    now = T0 + 11 * DAY; // bob's last order (12 days before T0) is now 23 days old; 20 more days later…
    await rt.settle();
    now = T0 + 19 * DAY;
    await rt.settle();
    assert.deepEqual(await members('dormant'), ['bob', 'cem']);
  });

  test('references are checked; CSV, size history and recompute work', async () => {
    const unknown = await call('POST', '/api/segments', {
      id: 'orphan',
      name: 'x',
      condition: { type: 'segment', segmentId: 'nope', member: true },
    });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /unknown segment nope/);
    const cycle = await call('PUT', '/api/segments/customers', {
      name: 'Customers',
      condition: { type: 'segment', segmentId: 'dormant', member: true },
    });
    assert.equal(cycle.status, 400);
    assert.match(cycle.body.error.message, /cycle/);
    const refused = await call('DELETE', '/api/segments/customers');
    assert.equal(refused.status, 409);
    const bad = await call('POST', '/api/segments', { id: 'Bad Id', name: '', condition: { type: 'trait' } });
    assert.equal(bad.status, 400);
    assert.ok(bad.body.error.issues.some((i: { path: string }) => i.path === '$.id'));

    const csv = await call('GET', '/api/segments/big-spenders/members.csv');
    const lines = (csv.body as string).trim().split('\n');
    assert.equal(lines[0], 'profile_id,user_id,email,phone,first_name,last_name,entered_at');
    assert.equal(lines.length, 5);
    assert.ok(lines.some((l) => l.includes(',ada,ada@example.com,')));

    const history = await call('GET', '/api/segments/recent-viewers/size-history');
    assert.deepEqual(
      history.body.items.map((d: { entered: number; exited: number; size: number }) => [
        d.entered,
        d.exited,
        d.size,
      ]),
      [[1, 1, 0]],
    );
    for (const id of ['lapsing', 'big-spenders', 'recent-viewers', 'customers', 'dormant']) {
      const r = await call('POST', `/api/segments/${id}/recompute`);
      assert.deepEqual([r.body.entered, r.body.exited], [0, 0], `real time and SQL agree for ${id}`);
    }
    const updated = await call('PUT', '/api/segments/lapsing', {
      name: 'Lapsing',
      condition: { type: 'trait', trait: 'country', op: 'equals', value: 'TR' },
    });
    assert.equal(updated.body.version, 2);
    assert.deepEqual(await members('lapsing'), ['ada', 'dora']);
    assert.equal((await call('DELETE', '/api/segments/lapsing')).status, 200);
    assert.equal((await call('GET', '/api/segments/lapsing')).status, 404);
  });
});
