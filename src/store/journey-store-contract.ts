import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { asEpochMs, asProfileId, type EpochMs } from '../core/brand.js';
import { prepareJourneys } from '../core/journeys/active-journeys.js';
import { applyJourneysToBatch } from '../core/journeys/apply-journeys-to-batch.js';
import { defineJourney, OPEN_POLICY, sampleProfile } from '../core/journeys/fixtures.js';
import type { Journey } from '../core/journeys/definition.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import { JourneyConflictError } from './journey-store.js';
import type { BatchWrite, Store } from './store.js';

const T0 = asEpochMs(Date.parse('2025-03-03T10:00:00Z'));
const HOUR = 3_600_000;
const profile = sampleProfile();

/** A journey that waits an hour then sends on the log channel. */
export const DELAY_THEN_SEND = defineJourney({
  id: 'contract',
  name: 'Contract',
  trigger: { type: 'event', event: 'Signed Up' },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'wait', type: 'delay', delay: { kind: 'duration', duration: { amount: 1, unit: 'hours' } } },
    { id: 'hello', type: 'send', template: 'hello', channel: 'log' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'hello' },
    { from: 'hello', to: 'done' },
  ],
});

const signedUp = (
  seq: number,
): { seq: number; profileId: typeof profile.id; message: InboundMessage; timestamp: EpochMs } => ({
  seq,
  profileId: profile.id,
  message: { type: 'track', event: 'Signed Up', messageId: `m${seq}`, timestamp: '', receivedAt: '' },
  timestamp: T0,
});

/** One engine step over a store: load, step, commit. */
async function step(
  store: Store,
  journey: Journey,
  now: EpochMs,
  input: { seq?: number; timers?: boolean },
): Promise<BatchWrite> {
  const states = await store.loadJourneyStates([profile.id], { now, sendsSince: now });
  const timers = input.timers ? await store.dueJourneyTimers(now, 100) : [];
  const { write } = applyJourneysToBatch(
    { profiles: [profile], events: input.seq ? [signedUp(input.seq)] : [], timers, states },
    {
      journeys: prepareJourneys([journey], [journey], OPEN_POLICY),
      now,
      newRunId: () => `run_${input.seq ?? 0}`,
    },
  );
  return { merges: [], identities: new Map(), events: [], profiles: [], journeys: write };
}

/**
 * The contract every journey store keeps (drafts, versions, runs, timers, guards, migration).
 * @example describeJourneyStoreContract('sqlite', async () => openSqliteStore({ path: ':memory:' }));
 */
export function describeJourneyStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Journey store contract: ${name}`, () => {
    test('drafts are saved and listed; publishing writes numbered versions and moves the revision', async () => {
      const store = await open();
      await store.saveJourneyDraft('contract', { name: 'draft' }, T0);
      assert.deepEqual((await store.getJourney('contract'))?.draft, { name: 'draft' });
      const revision = await store.journeysRevision();
      const first = await store.publishJourney(DELAY_THEN_SEND, { migrate: false, now: T0 });
      const second = await store.publishJourney(DELAY_THEN_SEND, { migrate: false, now: T0 });
      assert.deepEqual([first.version, second.version], [1, 2]);
      assert.equal(await store.journeysRevision(), revision + 2);
      const stored = await store.getJourney('contract');
      assert.equal(stored?.publishedVersion, 2);
      assert.equal(stored?.draft, undefined, 'publishing clears the draft');
      const { latest, all } = await store.publishedJourneys();
      assert.deepEqual(
        latest.map((j) => j.version),
        [2],
      );
      assert.deepEqual(
        all.map((j) => j.version),
        [1, 2],
      );
      assert.equal(await store.deleteJourney('contract'), false, 'a published journey is kept');
      await store.saveJourneyDraft('scratch', {}, T0);
      assert.equal(await store.deleteJourney('scratch'), true);
      assert.deepEqual(
        (await store.listJourneys()).map((j) => j.id),
        ['contract'],
      );
      await store.close();
    });

    test('a run, its timer and its send survive in the store; fired timers go', async () => {
      const store = await open();
      await store.publishJourney(DELAY_THEN_SEND, { migrate: false, now: T0 });
      await store.commitBatch(await step(store, DELAY_THEN_SEND, T0, { seq: 1 }));
      assert.equal((await store.getRun('run_1'))?.nodeId, 'wait');
      assert.equal(await store.nextJourneyTimer(), T0 + HOUR);
      assert.deepEqual(await store.dueJourneyTimers(asEpochMs(T0 + HOUR - 1), 10), []);
      const later = asEpochMs(T0 + HOUR);
      await store.commitBatch(await step(store, DELAY_THEN_SEND, later, { timers: true }));
      const run = await store.getRun('run_1');
      assert.equal(run?.status, 'ended');
      assert.equal(await store.nextJourneyTimer(), undefined);
      const sends = await store.listSends({ journeyId: 'contract', limit: 10 });
      assert.deepEqual(
        sends.map((s) => s.idempotencyKey),
        ['run_1:hello:log'],
      );
      assert.equal((await store.runInputs('run_1')).length, 2);
      assert.equal((await store.listRuns({ profileId: asProfileId(profile.id), limit: 10 })).length, 1);
      const state = (
        await store.loadJourneyStates([profile.id], { now: later, sendsSince: asEpochMs(0) })
      ).get(profile.id);
      assert.equal(state?.runs.length, 0, 'an ended run without a goal is not loaded again');
      assert.equal(state?.heads.length, 1);
      assert.equal(state?.recentSends.length, 1);
      await store.close();
    });

    test('a commit whose guard moved, or whose inputs were applied already, fails and writes nothing', async () => {
      const store = await open();
      await store.publishJourney(DELAY_THEN_SEND, { migrate: false, now: T0 });
      const a = await step(store, DELAY_THEN_SEND, T0, { seq: 1 });
      const b = await step(store, DELAY_THEN_SEND, T0, { seq: 1 });
      await store.commitBatch(a);
      await assert.rejects(store.commitBatch(b), JourneyConflictError);
      const again = await step(store, DELAY_THEN_SEND, T0, { seq: 1 });
      await assert.rejects(store.commitBatch(again), JourneyConflictError, 'seq 1 was applied already');
      assert.equal((await store.listRuns({ limit: 10 })).length, 1);
      await store.close();
    });

    test('publishing with migrate moves in-flight runs whose node still exists', async () => {
      const store = await open();
      await store.publishJourney(DELAY_THEN_SEND, { migrate: false, now: T0 });
      await store.commitBatch(await step(store, DELAY_THEN_SEND, T0, { seq: 1 }));
      const kept = await store.publishJourney(DELAY_THEN_SEND, { migrate: false, now: T0 });
      assert.deepEqual([kept.migrated, kept.stayed], [0, 1]);
      assert.equal((await store.getRun('run_1'))?.version, 1);
      const renamed = defineJourney({
        ...DELAY_THEN_SEND,
        nodes: DELAY_THEN_SEND.nodes.map((n) => (n.id === 'wait' ? { ...n, id: 'pause' } : n)),
        edges: DELAY_THEN_SEND.edges.map((e) => ({
          ...e,
          from: e.from === 'wait' ? 'pause' : e.from,
          to: e.to === 'wait' ? 'pause' : e.to,
        })),
      });
      const gone = await store.publishJourney(renamed, { migrate: true, now: T0 });
      assert.deepEqual([gone.migrated, gone.stayed], [0, 1], 'its node is gone: it stays');
      const moved = await store.publishJourney(DELAY_THEN_SEND, { migrate: true, now: T0 });
      assert.deepEqual([moved.version, moved.migrated], [4, 1]);
      assert.equal((await store.getRun('run_1'))?.version, 4);
      await store.close();
    });
  });
}
