import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { asEpochMs, type EpochMs } from '../core/brand.js';
import { defineJourney } from '../core/journeys/fixtures.js';
import { SEND_POLICY_KEY } from '../core/journeys/send-policy.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createProfileId } from './ids.js';
import { ProfileEngine } from './profile-engine.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const NO_QUIET = { default: { start: '00:00', end: '00:00' }, channels: {} };

/** A journey that sends a marketing message on the log channel as soon as `event` arrives. */
const sendOn = (id: string, priority: number) =>
  defineJourney({
    id,
    name: id,
    trigger: { type: 'event', event: 'Go' },
    reEntry: { mode: 'after_previous_ends', maxConcurrent: 1 },
    settings: { priority },
    nodes: [
      { id: 'start', type: 'entry' },
      { id: 'send', type: 'send', template: id, channel: 'log', onCap: 'skip' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'start', to: 'send' },
      { from: 'send', to: 'done' },
    ],
  });

let n = 0;
const track = (userId: string, event: string, properties: Record<string, unknown> = {}): InboundMessage => {
  const iso = new Date(T0).toISOString();
  return { type: 'track', userId, event, properties, messageId: `m${++n}`, timestamp: iso, receivedAt: iso };
};

async function withStores<T>(count: number, body: (stores: Store[], path: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-journeys-'));
  const path = join(dir, 'orkestra.db');
  const stores = Array.from({ length: count }, () => openSqliteStore({ path, synchronous: 'normal' }));
  try {
    return await body(stores, path);
  } finally {
    for (const s of stores) await s.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
}

const engineOn = (store: Store, clock: () => EpochMs, batchSize = 7): ProfileEngine =>
  new ProfileEngine({
    store,
    clock,
    mergeOnEmail: true,
    newProfileId: () => createProfileId(),
    batchSize,
    onError: () => {},
  });

test('two engines on one store never break a cap, and never apply an input twice', async () => {
  await withStores(2, async ([a, b]) => {
    const now = asEpochMs(T0);
    for (const [id, priority] of [
      ['one', 3],
      ['two', 5],
      ['three', 7],
    ] as const)
      await a!.publishJourney(sendOn(id, priority), { migrate: false, now });
    const policy = {
      capRules: [{ id: 'daily', max: 1, window: { amount: 24, unit: 'hours' } }],
      quietHours: NO_QUIET,
    };
    await a!.setSetting(SEND_POLICY_KEY, JSON.stringify(policy));
    await a!.bumpJourneysRevision();
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    const messages = users.flatMap((u) => [track(u, 'Go'), track(u, 'Go')]);
    await a!.appendToInbox(
      messages.map((message) => ({ kind: 'message', message })),
      { now, dedupeSince: now },
    );
    let conflicts = 0;
    for (const store of [a!, b!]) {
      const commit = store.commitBatch.bind(store);
      store.commitBatch = async (...args) =>
        commit(...args).catch((e: unknown) => {
          conflicts++;
          throw e;
        });
    }
    const clock = (): EpochMs => now;
    const engines = [engineOn(a!, clock), engineOn(b!, clock)];
    await Promise.all(engines.map((e) => e.drain()));
    assert.ok(conflicts > 0, 'the engines did race');
    assert.equal(await a!.countEvents(), messages.length, 'every event stored once');
    const sends = await a!.listSends({ journeyId: 'three', limit: 1000 });
    const all = [
      ...sends,
      ...(await a!.listSends({ journeyId: 'two', limit: 1000 })),
      ...(await a!.listSends({ journeyId: 'one', limit: 1000 })),
    ];
    const perProfile = new Map<string, number>();
    for (const s of all) perProfile.set(s.profileId, (perProfile.get(s.profileId) ?? 0) + 1);
    assert.equal(perProfile.size, users.length);
    assert.ok(
      [...perProfile.values()].every((c) => c === 1),
      'one marketing message per person per day',
    );
    assert.equal(sends.length, users.length, 'the highest-priority journey wins the cap');
  });
});

test('after a restart, overdue timers fire in due order', async () => {
  await withStores(1, async ([first], path) => {
    let now = asEpochMs(T0);
    const later = defineJourney({
      id: 'later',
      name: 'Later',
      trigger: { type: 'event', event: 'Remind' },
      reEntry: { mode: 'after_previous_ends', maxConcurrent: 1 },
      nodes: [
        { id: 'start', type: 'entry' },
        { id: 'wait', type: 'delay', delay: { kind: 'date', source: 'trigger', path: 'at' } },
        { id: 'send', type: 'send', template: 'r', channel: 'log', category: 'transactional' },
        { id: 'done', type: 'exit' },
      ],
      edges: [
        { from: 'start', to: 'wait' },
        { from: 'wait', to: 'send' },
        { from: 'send', to: 'done' },
      ],
    });
    await first!.publishJourney(later, { migrate: false, now });
    const dues = Array.from({ length: 30 }, (_, i) => T0 + ((i * 7919) % 30) * 60_000 + 60_000);
    const messages = dues.map((due, i) => track(`p${i}`, 'Remind', { at: new Date(due).toISOString() }));
    await first!.appendToInbox(
      messages.map((message) => ({ kind: 'message', message })),
      { now, dedupeSince: now },
    );
    await engineOn(first!, () => now, 2000).drain();
    await first!.close();
    now = asEpochMs(T0 + 10 * 3_600_000);
    const reopened = openSqliteStore({ path, synchronous: 'normal' });
    try {
      await engineOn(reopened, () => now, 2000).drain();
      const sends = await reopened.listSends({ journeyId: 'later', limit: 1000 });
      assert.equal(sends.length, dues.length);
      const order = await Promise.all(sends.map(async (s) => (await reopened.getRun(s.runId))!.context));
      const fired = order.map((c) => Date.parse((c.trigger as { properties: { at: string } }).properties.at));
      assert.deepEqual(
        fired,
        [...fired].sort((x, y) => x - y),
      );
    } finally {
      await reopened.close();
    }
  });
});
