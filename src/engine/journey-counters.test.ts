import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs, MS_PER_DAY, type EpochMs } from '../core/brand.js';
import { defineJourney } from '../core/journeys/fixtures.js';
import { computeJourneyStats, statsFromCounters } from '../core/journeys/journey-stats.js';
import { SEND_POLICY_KEY } from '../core/journeys/send-policy.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { createProfileId } from './ids.js';
import { ProfileEngine } from './profile-engine.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const HOUR = 3_600_000;

/** Splits, a wait with a timeout, capped marketing sends (deferred or skipped), a goal that ends runs. */
const load = defineJourney({
  id: 'load',
  name: 'Load',
  trigger: { type: 'event', event: 'Go' },
  goal: { event: 'Buy', withinDays: 7, endRun: true },
  nodes: [
    { id: 'start', type: 'entry' },
    {
      id: 'ab',
      type: 'random_split',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
      holdout: 1,
    },
    { id: 'wait', type: 'wait_for_event', event: 'Look', timeout: { amount: 2, unit: 'hours' } },
    { id: 'first', type: 'send', template: 't1', channel: 'log' },
    { id: 'second', type: 'send', template: 't2', channel: 'log', onCap: 'skip' },
    { id: 'pause', type: 'delay', delay: { kind: 'duration', duration: { amount: 12, unit: 'hours' } } },
    { id: 'third', type: 'send', template: 't3', channel: 'log' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'ab' },
    { from: 'ab', to: 'wait', branch: 'a' },
    { from: 'ab', to: 'first', branch: 'b' },
    { from: 'ab', to: 'done', branch: 'holdout' },
    { from: 'wait', to: 'first', branch: 'event' },
    { from: 'wait', to: 'done', branch: 'timeout' },
    { from: 'first', to: 'second' },
    { from: 'second', to: 'pause' },
    { from: 'pause', to: 'third' },
    { from: 'third', to: 'done' },
  ],
});

let n = 0;
const track = (userId: string, event: string, at: number): InboundMessage => {
  const iso = new Date(at).toISOString();
  return {
    type: 'track',
    userId,
    event,
    properties: { revenue: 10 },
    messageId: `m${++n}`,
    timestamp: iso,
    receivedAt: iso,
  };
};

test('journey counters equal a recount from the runs after a load; inputs of long-ended runs are pruned', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  let now = asEpochMs(T0);
  const clock = (): EpochMs => now;
  await store.publishJourney(load, { migrate: false, now });
  const policy = {
    capRules: [{ id: 'daily', max: 1, window: { amount: 24, unit: 'hours' } }],
    quietHours: { default: { start: '00:00', end: '00:00' }, channels: {} },
  };
  await store.setSetting(SEND_POLICY_KEY, JSON.stringify(policy));
  await store.bumpJourneysRevision();
  const engine = new ProfileEngine({
    store,
    clock,
    mergeOnEmail: true,
    newProfileId: () => createProfileId(),
    batchSize: 97,
  });
  const send = async (messages: InboundMessage[]) => {
    await store.appendToInbox(
      messages.map((message) => ({ kind: 'message', message })),
      { now, dedupeSince: now },
    );
    await engine.drain();
  };
  const users = Array.from({ length: 300 }, (_, i) => `u${i}`);
  await send(users.map((u) => track(u, 'Go', now)));
  now = asEpochMs(now + HOUR);
  await send(users.filter((_, i) => i % 3 === 0).map((u) => track(u, 'Look', now)));
  await send(users.filter((_, i) => i % 5 === 0).map((u) => track(u, 'Buy', now)));
  for (const step of [HOUR, 12 * HOUR, HOUR]) {
    now = asEpochMs(now + step);
    await engine.drain();
  }
  const { counters, waiting } = await store.journeyCounters('load');
  const revenue = counters.find((c) => c.nodeId === '' && c.name === 'revenue')?.value ?? 0;
  const recount = computeJourneyStats(await store.journeyActivity('load'));
  assert.ok(recount.nodes.third!.deferred > 0 && recount.nodes.second!.skipped > 0, 'caps took decisions');
  assert.ok(recount.active > 0 && recount.converted > 0, 'some runs wait, some converted');
  assert.deepEqual(statsFromCounters(counters, waiting, revenue), recount);

  const ended = await store.listRuns({ journeyId: 'load', status: 'ended', limit: 1 });
  const active = await store.listRuns({ journeyId: 'load', status: 'active', limit: 1 });
  now = asEpochMs(now + 31 * MS_PER_DAY);
  assert.ok((await store.pruneJourneyInputs(asEpochMs(now - 30 * MS_PER_DAY))) > 0);
  assert.equal((await store.runInputs(ended[0]!.runId)).length, 0, 'ended over 30 days ago: pruned');
  assert.ok((await store.runInputs(active[0]!.runId)).length > 0, 'still running: kept');
  await store.close();
});
