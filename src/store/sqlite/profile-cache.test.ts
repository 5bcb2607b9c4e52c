import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import { createProfile } from '../../core/profiles/profile.js';
import { matcherKey } from '../../core/segments/aggregates.js';
import { ProfileCache } from './profile-cache.js';

const a = 'prf_a' as ProfileId;
const b = 'prf_b' as ProfileId;
const empty = { merges: [], identities: new Map(), events: [], profiles: [] };

test('only timers that differ from the last written ones are written again', () => {
  const cache = new ProfileCache(100);
  const first = new Map<ProfileId, number | null>([
    [a, 5000],
    [b, null],
  ]);
  assert.deepEqual(cache.changedTimers(first), first, 'nothing is known yet: all are written');
  cache.remember({ ...empty, timers: first });
  assert.deepEqual(cache.changedTimers(first), new Map(), 'unchanged: none');
  assert.deepEqual(
    cache.changedTimers(
      new Map([
        [a, 7000],
        [b, null],
      ]),
    ),
    new Map([[a, 7000]]),
  );
  // A merge clears the merged-away profile's timer in the store: the next one for it is written.
  cache.remember({
    ...empty,
    merges: [{ from: a, into: b, reason: 'alias', messageId: 'm', at: 1 }] as never,
  });
  assert.deepEqual(cache.changedTimers(new Map([[a, 5000]])), new Map([[a, 5000]]));
  cache.remember({ ...empty, timers: new Map([[a, 5000]]) });
  cache.clear();
  assert.deepEqual(cache.changedTimers(new Map([[a, 5000]])), new Map([[a, 5000]]), 'after a clear, all');
});

test('profiles are kept as their stored JSON and handed out as fresh objects, upgraded as a database read would be', () => {
  const cache = new ProfileCache(100);
  const written = { ...createProfile(a, 1_000 as EpochMs, 'web'), traits: { plan: 'gold' } };
  cache.remember({ ...empty, profiles: [written] }, new Map([[a, JSON.stringify(written)]]));
  const read = cache.profile(a)!;
  assert.deepEqual(read, written);
  assert.notEqual(read, written, 'a copy: nothing the engine holds is shared with the cache');
  assert.notEqual(cache.profile(a), read);
  // Without the stored JSON (a caller that has none), the cache serialises the profile itself.
  const other = createProfile(b, 2_000 as EpochMs, 'ios');
  cache.remember({ ...empty, profiles: [other] });
  assert.deepEqual(cache.profile(b), other);
  // A profile read from the database in an older layout is upgraded on every read from the cache too.
  const legacyKey = JSON.stringify(['Order Completed', [], { kind: 'ever' }, null]);
  const legacy = {
    ...other,
    aggregates: { [legacyKey]: { kind: 'totals', count: 2, sum: 0, numeric: 0, first: 1_000, last: 2_000 } },
  };
  cache.noteProfile(b, JSON.stringify(legacy));
  assert.deepEqual(cache.profile(b)?.aggregates, { [matcherKey(legacyKey)]: [2, 0, 0, 1_000, 2_000] });
});
