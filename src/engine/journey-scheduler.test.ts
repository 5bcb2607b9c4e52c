import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs, type EpochMs } from '../core/brand.js';
import { defineJourney } from '../core/journeys/fixtures.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';
import { createProfileId } from './ids.js';
import { JourneyRunner } from './journey-runner.js';
import { ProfileEngine } from './profile-engine.js';
import { EMPTY_JOURNEY_WRITE } from '../core/journeys/journey-write.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const MEMBERS = 7;

const weekly = defineJourney({
  id: 'weekly',
  name: 'Weekly',
  trigger: {
    type: 'schedule',
    segmentId: 'all',
    schedule: { kind: 'cron', expression: '0 12 * * 1' },
  },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'news', type: 'send', template: 'news', channel: 'log', category: 'transactional' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'news' },
    { from: 'news', to: 'done' },
  ],
});

const identify = (userId: string): InboundMessage => {
  const iso = new Date(T0).toISOString();
  return { type: 'identify', userId, traits: { n: 1 }, messageId: userId, timestamp: iso, receivedAt: iso };
};

/** A fresh engine (as after a restart) with fan-outs of two members a transaction. */
const engineOn = (store: Store, clock: () => EpochMs) => {
  const engine = new ProfileEngine({
    store,
    clock,
    mergeOnEmail: true,
    newProfileId: () => createProfileId(),
    journeyRunner: new JourneyRunner({ store, clock, scheduleChunk: 2 }),
    onError: () => {},
  });
  return { drain: async () => engine.reloadSegments().then(() => engine.drain()) };
};

test('a broadcast fans out in chunks; a crash mid-fan-out neither skips nor doubles anyone', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  let now = asEpochMs(T0);
  const clock = (): EpochMs => now;
  await store.saveSegment(
    { id: 'all', name: 'All', condition: { type: 'trait', trait: 'n', op: 'exists' } } as never,
    now,
  );
  await store.publishJourney(weekly, { migrate: false, now });
  await store.bumpJourneysRevision();
  const users = Array.from({ length: MEMBERS }, (_, i) => `u${i}`);
  await store.appendToInbox(
    users.map((u) => ({ kind: 'message', message: identify(u) })),
    { now, dedupeSince: now },
  );
  await engineOn(store, clock).drain();
  // The engine dies in the middle of the fan-out: its third chunk's transaction never commits.
  now = asEpochMs(Date.parse('2025-03-03T12:00:00Z'));
  const commit = store.commitBatch.bind(store);
  let commits = 0;
  store.commitBatch = async (...args) => {
    if (args[0].journeys?.schedule && ++commits === 3) throw new Error('killed');
    return commit(...args);
  };
  await assert.rejects(engineOn(store, clock).drain(), /killed/);
  const partial = await store.listRuns({ journeyId: 'weekly', limit: 100 });
  assert.equal(partial.length, 4, 'two chunks of two committed');
  store.commitBatch = commit;
  await engineOn(store, clock).drain();
  const runs = await store.listRuns({ journeyId: 'weekly', limit: 100 });
  assert.equal(new Set(runs.map((r) => r.profileId)).size, MEMBERS, 'everyone once');
  assert.equal(runs.length, MEMBERS);
  // Replaying the whole occurrence (as if the cursor were lost) starts nobody twice.
  const [row] = await store.journeySchedules();
  await store.commitBatch({
    merges: [],
    identities: new Map(),
    events: [],
    profiles: [],
    journeys: {
      ...EMPTY_JOURNEY_WRITE,
      schedule: {
        journeyId: 'weekly',
        expected: { nextAt: row!.nextAt, fanningAt: row!.fanningAt, cursor: row!.cursor },
        next: { nextAt: row!.nextAt, fanningAt: asEpochMs(Date.parse('2025-03-03T12:00:00Z')), cursor: '' },
      },
    },
  });
  await engineOn(store, clock).drain();
  assert.equal((await store.listRuns({ journeyId: 'weekly', limit: 100 })).length, MEMBERS);
  assert.equal((await store.listSends({ journeyId: 'weekly', limit: 100 })).length, MEMBERS);
  // The next occurrence is a week later, and reaches everyone again.
  assert.equal((await store.journeySchedules())[0]!.nextAt, Date.parse('2025-03-10T12:00:00Z'));
  now = asEpochMs(Date.parse('2025-03-10T12:00:00Z'));
  await engineOn(store, clock).drain();
  assert.equal((await store.listRuns({ journeyId: 'weekly', limit: 100 })).length, 2 * MEMBERS);
  await store.close();
});
