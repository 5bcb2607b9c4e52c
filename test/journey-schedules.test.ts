import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EpochMs } from '../src/core/brand.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const at = (iso: string): number => Date.parse(iso);
const T0 = at('2025-03-03T10:00:00Z');

/** entry → send (log) → exit, with the given trigger. */
const broadcast = (id: string, trigger: Record<string, unknown>) => ({
  id,
  name: id,
  trigger,
  reEntry: { mode: 'after_previous_ends', maxConcurrent: 1 },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'news', type: 'send', template: id, channel: 'log', category: 'transactional' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'news' },
    { from: 'news', to: 'done' },
  ],
});

describe('schedule and date triggers through the API, on a fake clock', () => {
  let rt: TestRuntime;
  let now = T0;
  const ids = new Map<string, string>();
  before(async () => {
    rt = await startTestRuntime({ clock: () => now as EpochMs });
    const segment = {
      id: 'vip',
      name: 'VIP',
      condition: { type: 'trait', trait: 'plan', op: 'equals', value: 'vip' },
    };
    assert.equal((await call('POST', '/api/segments', segment)).status, 200);
    const people: [string, Record<string, unknown>][] = [
      ['ada', { plan: 'vip', timezone: 'Europe/Istanbul', birthday: '1990-03-05' }],
      ['bob', { plan: 'vip', timezone: 'America/New_York' }],
      ['cid', { plan: 'vip' }],
      ['dan', { plan: 'free' }],
    ];
    for (const [userId, traits] of people) await rt.send('/v1/identify', { userId, traits });
    await rt.settle();
    for (const [userId] of people) {
      const { body } = await rt.admin(`/api/profiles?q=${userId}`);
      ids.set(body.items[0].id as string, userId);
    }
  });
  after(async () => rt.close());

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const publish = async (definition: ReturnType<typeof broadcast>) => {
    const res = await call('POST', `/api/journeys/${definition.id}/publish`, { definition });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    await rt.settle();
  };
  const setClock = async (iso: string) => {
    now = at(iso);
    await rt.settle();
  };
  /** Who has a run of the journey, with when it started. */
  const started = async (journeyId: string): Promise<Record<string, string>> => {
    const { body } = await call('GET', `/api/journeys/${journeyId}/runs`);
    const out: Record<string, string> = {};
    for (const r of body.items as any[]) out[ids.get(r.profileId)!] = new Date(r.startedAt).toISOString();
    return out;
  };

  test('a one-off broadcast starts one run per segment member at its time, and only once', async () => {
    await publish(
      broadcast('flash', {
        type: 'schedule',
        segmentId: 'vip',
        schedule: { kind: 'once', at: '2025-03-03T12:00:00Z' },
      }),
    );
    await setClock('2025-03-03T11:59:59Z');
    assert.deepEqual(await started('flash'), {}, 'never early');
    await setClock('2025-03-03T12:00:00Z');
    const runs = await started('flash');
    assert.deepEqual(Object.keys(runs).sort(), ['ada', 'bob', 'cid'], 'members only');
    await setClock('2025-03-03T18:00:00Z');
    assert.equal(Object.keys(await started('flash')).length, 3, 'a one-off goes out once');
    assert.equal((await rt.store.listSends({ journeyId: 'flash', limit: 10 })).length, 3);
  });

  test('a recurring broadcast in recipients’ local time reaches each at 09:00 their time', async () => {
    await publish(
      broadcast('morning', {
        type: 'schedule',
        segmentId: 'vip',
        schedule: { kind: 'cron', expression: '0 9 * * *' },
        recipientLocalTime: true,
      }),
    );
    // 09:00 on 4 March first happens at UTC+14, at 19:00Z on the 3rd: the fan-out sets per-person timers.
    await setClock('2025-03-03T19:00:00Z');
    assert.deepEqual(await started('morning'), {});
    await setClock('2025-03-04T06:00:00Z');
    assert.deepEqual(await started('morning'), { ada: '2025-03-04T06:00:00.000Z' }, 'Istanbul first');
    await setClock('2025-03-04T09:00:00Z');
    await setClock('2025-03-04T13:59:59Z');
    assert.equal(Object.keys(await started('morning')).length, 2, 'UTC at 09:00, New York not yet');
    await setClock('2025-03-04T14:00:00Z');
    assert.deepEqual(await started('morning'), {
      ada: '2025-03-04T06:00:00.000Z',
      cid: '2025-03-04T09:00:00.000Z',
      bob: '2025-03-04T14:00:00.000Z',
    });
  });

  test('a date trigger fires on the birthday at 09:00 local, following changes of the trait', async () => {
    await publish(broadcast('birthday', { type: 'date_trait', trait: 'birthday', at: '09:00' }));
    await rt.send('/v1/identify', { userId: 'ada', traits: { birthday: '1990-03-06' } });
    await rt.send('/v1/identify', { userId: 'cid', traits: { birthday: '1985-03-05' } });
    await rt.settle();
    await setClock('2025-03-05T09:00:00Z');
    assert.deepEqual(await started('birthday'), { cid: '2025-03-05T09:00:00.000Z' }, 'ada moved to the 6th');
    await setClock('2025-03-06T06:00:00Z');
    assert.deepEqual(await started('birthday'), {
      cid: '2025-03-05T09:00:00.000Z',
      ada: '2025-03-06T06:00:00.000Z',
    });
  });
});
