import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../core/brand.js';
import { createProfile } from '../core/profiles/profile.js';
import type { SegmentDefinition } from '../core/segments/definition.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { ProfileEngine } from './profile-engine.js';
import { SegmentService } from './segment-service.js';

const NOW = Date.parse('2024-06-15T12:00:00Z') as EpochMs;
const SEGMENTS: SegmentDefinition[] = [
  { id: 'tr', name: 'Turkey', condition: { type: 'trait', trait: 'country', op: 'equals', value: 'TR' } },
  { id: 'half', name: 'Half', condition: { type: 'random_bucket', salt: 's', from: 0, to: 50 } },
  {
    id: 'tr-half',
    name: 'Turkey, other half',
    condition: {
      type: 'and',
      conditions: [
        { type: 'segment', segmentId: 'tr', member: true },
        { type: 'segment', segmentId: 'half', member: false },
      ],
    },
  },
];

test('a full recompute restores drifted memberships, segments that refer to others included', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  const profiles = Array.from({ length: 40 }, (_, i) => ({
    ...createProfile(`prf_${String(i).padStart(3, '0')}` as ProfileId, NOW, 'web'),
    traits: { country: i % 3 === 0 ? 'TR' : 'DE' },
  }));
  await store.commitBatch({ merges: [], identities: new Map(), events: [], profiles });
  const engine = new ProfileEngine({
    store,
    clock: () => NOW,
    mergeOnEmail: true,
    newProfileId: () => 'prf_unused' as ProfileId,
  });
  const service = new SegmentService({ store, engine, clock: () => NOW });
  for (const d of SEGMENTS) assert.ok((await service.save(d)).ok);
  const expected = new Map(SEGMENTS.map((d) => [d.id, [] as string[]]));
  for (const d of SEGMENTS) expected.set(d.id, (await store.memberIds(d.id)).sort());
  assert.ok(expected.get('tr-half')!.length > 0);

  // Drift: a Turkish member of the other half leaves `tr` (and so `tr-half`) behind the engine's back.
  const drifted = expected.get('tr-half')![0]! as ProfileId;
  await store.commitBatch({
    merges: [],
    identities: new Map(),
    events: [],
    profiles: [],
    memberships: [
      { segmentId: 'tr', profileId: drifted, entered: false, at: NOW },
      { segmentId: 'tr-half', profileId: drifted, entered: false, at: NOW },
    ],
  });
  const results = await service.recompute();
  assert.deepEqual(results.map((r) => [r.segmentId, r.entered, r.exited]).sort(), [
    ['half', 0, 0],
    ['tr', 1, 0],
    ['tr-half', 1, 0],
  ]);
  for (const d of SEGMENTS) assert.deepEqual((await store.memberIds(d.id)).sort(), expected.get(d.id));
  const again = await service.recompute();
  assert.ok(again.every((r) => r.entered === 0 && r.exited === 0));
  await store.close();
});
