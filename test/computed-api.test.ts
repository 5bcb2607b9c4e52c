import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EpochMs } from '../src/core/brand.js';
import { createRandom } from '../src/core/random.js';
import { asEpochDay } from '../src/core/stats/civil-date.js';
import { simulateTransactions } from '../src/core/stats/simulate.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-06-10T12:00:00Z');

describe('computed traits, RFM and predicted value through the engine and the API', () => {
  let rt: TestRuntime;
  let now = T0;
  before(async () => {
    rt = await startTestRuntime({ clock: () => now as EpochMs, rfmEveryMs: 0, clvEveryMs: 0 });
  });
  after(async () => rt.close());

  const send = async (batch: Record<string, unknown>[]) => {
    for (let i = 0; i < batch.length; i += 2000) {
      const res = await rt.send('/v1/batch', { batch: batch.slice(i, i + 2000) });
      assert.equal(res.status, 200, await res.text());
    }
    await rt.settle();
  };
  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const profileOf = async (userId: string) => {
    const id = (await rt.admin(`/api/profiles?q=${userId}`)).body.items[0].id as string;
    return (await rt.admin(`/api/profiles/${id}`)).body as { id: string; computed: Record<string, any> };
  };
  const order = (userId: string, daysAgo: number, revenue: number, extra: Record<string, unknown> = {}) => ({
    type: 'track',
    userId,
    event: 'Order Completed',
    properties: { revenue, currency: 'EUR', ...extra },
    timestamp: new Date(now - daysAgo * DAY).toISOString(),
  });
  const members = async (segment: string) =>
    ((await call('GET', `/api/segments/${segment}/members`)).body.items as { userIds: string[] }[])
      .map((p) => p.userIds[0])
      .sort();

  test('orders and engagement are kept current on the profile, late events do not regress them', async () => {
    await send([
      order('u1', 10, 40, { products: [{ category: 'Shoes', price: 20, quantity: 2 }] }),
      order('u1', 2, 60, { products: [{ category: 'Bags', price: 60, quantity: 1 }] }),
      { type: 'track', userId: 'u1', event: 'Email Opened', timestamp: new Date(now - DAY).toISOString() },
    ]);
    await send([order('u1', 40, 20, { products: [{ category: 'Shoes', price: 10, quantity: 2 }] })]);
    const { computed } = await profileOf('u1');
    assert.equal(computed.ordersCount, 3);
    assert.equal(computed.revenue, 120);
    assert.equal(computed.averageOrderValue, 40);
    assert.equal(computed.lastOrderAt, now - 2 * DAY);
    assert.equal(computed.firstOrderAt, now - 40 * DAY);
    assert.equal(computed.favoriteCategory, 'Shoes');
    assert.equal(computed.daysSinceLastOrder, 2);
    assert.deepEqual(computed.engagement, {
      email: { count: 1, lastAt: now - DAY, events: { 'Email Opened': 1 } },
    });
  });

  test('an anonymous buyer who signs in brings their orders along', async () => {
    await send([{ ...order('u3', 5, 10), userId: undefined, anonymousId: 'anon-3' }, order('u3', 3, 15)]);
    await send([
      { type: 'identify', userId: 'u3', anonymousId: 'anon-3', traits: { email: 'u3@example.com' } },
    ]);
    const { computed } = await profileOf('u3');
    assert.equal(computed.ordersCount, 2);
    assert.equal(computed.revenue, 25);
    assert.equal(computed.firstOrderAt, now - 5 * DAY);
  });

  test('RFM: scores, groups, an event per change, segments follow; a second run changes nothing', async () => {
    const batch = [];
    for (let i = 0; i < 10; i++) {
      for (let k = 0; k <= i; k++) batch.push(order(`r${i}`, 300 - i * 30 + k, 10 + i * 10));
    }
    await send(batch);
    const seg = (id: string, condition: unknown) =>
      call('POST', '/api/segments', { id, name: id, condition });
    assert.equal(
      (await seg('champions', { type: 'computed', trait: 'rfmGroup', op: 'equals', value: 'Champions' }))
        .status,
      200,
    );
    assert.equal(
      (await seg('lapsed', { type: 'computed', trait: 'daysSinceLastOrder', op: 'gte', value: 100 })).status,
      200,
    );
    assert.equal((await call('GET', '/api/computed/rfm')).status, 404);

    const first = await call('POST', '/api/computed/rfm/recompute');
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.customers, 12); // r0…r9, u1, u3
    assert.equal(first.body.groupChanges, 12);
    const sizes = Object.values(first.body.groups as Record<string, number>);
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      12,
    );
    assert.deepEqual((await call('GET', '/api/computed/rfm')).body.groups, first.body.groups);

    const r9 = await profileOf('r9');
    assert.equal(r9.computed.rfmGroup, 'Champions');
    assert.ok(r9.computed.rfmFrequency === 5 && r9.computed.rfmMonetary === 5);
    assert.equal((await profileOf('r0')).computed.rfmGroup, 'Lost');
    assert.ok((await members('champions')).includes('r9'));
    assert.deepEqual(await members('lapsed'), ['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    const timeline = (await rt.admin(`/api/profiles/${r9.id}/events`)).body.items as any[];
    const changed = timeline.find((e) => e.event === 'RFM Group Changed');
    assert.deepEqual(changed?.properties, {
      previousGroup: null,
      group: 'Champions',
      recency: r9.computed.rfmRecency,
      frequency: 5,
      monetary: 5,
    });
    assert.ok(timeline.some((e) => e.event === 'Segment Entered' && e.properties.segment_id === 'champions'));

    const again = await call('POST', '/api/computed/rfm/recompute');
    assert.equal(again.body.changed, 0);
    assert.equal(again.body.groupChanges, 0);
  });

  test('time passing and a comeback order move groups and time-dependent segments', async () => {
    now += 120 * DAY;
    await rt.settle(); // timers due: daysSinceLastOrder crossed 100 for more people
    assert.ok((await members('lapsed')).includes('r9'));
    await send([order('r0', 0, 500)]);
    assert.ok(!(await members('lapsed')).includes('r0'));
    const result = await call('POST', '/api/computed/rfm/recompute');
    assert.ok(result.body.groupChanges >= 1);
    const r0 = await profileOf('r0');
    assert.notEqual(r0.computed.rfmGroup, 'Lost');
    const events = (await rt.admin(`/api/profiles/${r0.id}/events`)).body.items as any[];
    const changes = events.filter((e) => e.event === 'RFM Group Changed');
    assert.equal(changes.length, 2);
    assert.equal(changes[0].properties.previousGroup, 'Lost');
    assert.equal(changes[0].properties.group, r0.computed.rfmGroup);
  });

  test('predicted value: too little data is a clear answer; on a real history the models fit and scores land', async () => {
    const tooFew = await call('POST', '/api/computed/clv/refit', {});
    assert.equal(tooFew.status, 200);
    assert.equal(tooFew.body.fitted, false);
    assert.equal(tooFew.body.reason, 'too-few-customers');
    assert.match(tooFew.body.message, /at least 20/);
    assert.equal((await call('POST', '/api/computed/clv/refit', { horizonWeeks: -1 })).status, 400);

    const today = Math.floor(now / DAY);
    const models = { bgnbd: { r: 0.25, alpha: 4, a: 0.8, b: 2.5 }, gammaGamma: { p: 6, q: 4, gamma: 15 } };
    const log = simulateTransactions(
      models,
      {
        customers: 400,
        firstDay: asEpochDay(today - 500),
        acquisitionDays: 90,
        endDay: asEpochDay(today - 1),
      },
      createRandom(11),
    );
    await send(
      log.map((t, i) => ({
        type: 'track',
        userId: `sim-${t.customerId}`,
        event: 'Order Completed',
        messageId: `sim-${i}`,
        properties: { revenue: Math.round(t.amount * 100) / 100 },
        timestamp: new Date(t.day * DAY + 3_600_000).toISOString(),
      })),
    );
    const fit = await call('POST', '/api/computed/clv/refit', { horizonWeeks: 26 });
    assert.equal(fit.body.fitted, true, JSON.stringify(fit.body));
    assert.equal(fit.body.horizonWeeks, 26);
    assert.ok(fit.body.customers >= 400);
    for (const v of [...Object.values(fit.body.bgnbd), ...Object.values(fit.body.gammaGamma)]) {
      assert.ok(typeof v === 'number' && v > 0);
    }
    assert.ok(fit.body.updated >= 400);
    assert.deepEqual((await call('GET', '/api/computed/clv')).body.bgnbd, fit.body.bgnbd);
    const p = (await profileOf('sim-c1')).computed;
    assert.ok(p.pAlive > 0 && p.pAlive <= 1);
    assert.ok(p.expectedPurchases >= 0 && p.predictedClv >= 0);
    const churnRisk = await call('POST', '/api/segments/preview', {
      condition: { type: 'computed', trait: 'pAlive', op: 'lt', value: 0.3 },
    });
    assert.ok(churnRisk.body.count > 0 && churnRisk.body.count < fit.body.customers);
  });

  test('a rebuild restores order and engagement traits from history, keeps job scores, and moves segments', async () => {
    await send([
      order('r1', 20, 30, { products: [{ category: 'Hats', price: 30, quantity: 1 }] }),
      order('r1', 5, 90, { products: [{ category: 'Hats', price: 45, quantity: 2 }] }),
      { type: 'track', userId: 'r1', event: 'Push Opened', timestamp: new Date(now - DAY).toISOString() },
    ]);
    const segment = {
      id: 'two-orders',
      name: 'Two orders or more',
      condition: { type: 'computed', trait: 'ordersCount', op: 'gte', value: 2 },
    };
    assert.equal((await call('POST', '/api/segments', segment)).status, 200);
    assert.ok((await members('two-orders')).includes('r1'));
    const healthy = (await profileOf('r1')).computed;

    // A profile written before these traits existed (or by a job that went wrong): they are gone,
    // a score a job wrote stays, and the segment, re-evaluated, lets the person go.
    const id = (await profileOf('r1')).id;
    await rt.engine.exclusive(async () => {
      const profile = (await rt.store.loadProfiles([id as never])).get(id as never)!;
      const { computed: _gone, ...rest } = profile;
      const stripped = { ...rest, computed: { rfmGroup: 'Loyal' } };
      await rt.store.commitBatch({ merges: [], identities: new Map(), events: [], profiles: [stripped] });
    });
    await call('POST', '/api/segments/two-orders/recompute');
    assert.ok(!(await members('two-orders')).includes('r1'));

    const rebuilt = await call('POST', '/api/computed/traits/rebuild', {});
    assert.equal(rebuilt.status, 200, JSON.stringify(rebuilt.body));
    assert.equal(rebuilt.body.changed, 1, 'only the stripped profile differed from its history');
    assert.ok(rebuilt.body.events >= 3 && rebuilt.body.profiles >= 1);
    const restored = (await profileOf('r1')).computed;
    for (const key of ['ordersCount', 'revenue', 'averageOrderValue', 'firstOrderAt', 'lastOrderAt'])
      assert.equal(restored[key], healthy[key], key);
    assert.equal(restored.favoriteCategory, 'Hats');
    assert.deepEqual(restored.engagement, healthy.engagement);
    assert.equal(restored.rfmGroup, 'Loyal', 'job scores are not derived from events: kept');
    assert.ok((await members('two-orders')).includes('r1'), 'segments follow in the same transaction');

    const again = await call('POST', '/api/computed/traits/rebuild', {});
    assert.equal(again.body.changed, 0, 'a second run finds nothing to correct');

    // Each of these long jobs was listed while it ran, and is kept among the recent ones.
    const jobs = (await call('GET', '/api/jobs')).body as {
      running: unknown[];
      recent: { job: string; state: string; phase?: string; done?: number; ms?: number }[];
    };
    assert.deepEqual(jobs.running, []);
    const [latest, previous] = jobs.recent;
    assert.deepEqual(
      [latest?.job, latest?.state, latest?.phase, previous?.job],
      ['computed-traits', 'done', 'correcting profiles', 'computed-traits'],
    );
    assert.ok((latest?.done ?? 0) >= rebuilt.body.profiles);
    const recompute = jobs.recent.find((j) => j.job === 'segment:two-orders');
    assert.equal(recompute?.state, 'done');
    assert.ok(jobs.recent.some((j) => j.job === 'rfm' && j.state === 'done'));
  });

  test('the computed API needs the admin key', async () => {
    const res = await fetch(`${rt.url}/api/computed/rfm/recompute`, { method: 'POST' });
    assert.equal(res.status, 401);
  });
});
