import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { IdentityKey } from '../../core/profiles/identity.js';
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

test('a full cache keeps the newer half of its profiles and owners, what was written last counting as newest', () => {
  const cache = new ProfileCache(8);
  const id = (i: number) => `prf_${i}` as ProfileId;
  const key = (i: number) => `userId:u${i}` as IdentityKey;
  const write = (i: number) =>
    cache.remember({
      ...empty,
      identities: new Map([[key(i), id(i)]]),
      profiles: [createProfile(id(i), i as EpochMs, 'web')],
    });
  for (const i of [1, 2, 3, 4]) write(i); // 8 entries: full, not over
  write(1); // written again: now the newest
  assert.ok(cache.profile(id(2)) !== undefined && cache.owner(key(2)) === id(2));
  write(5); // 10 entries: over, so the older half of each map goes
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((i) => cache.profile(id(i)) !== undefined),
    [true, false, false, true, true],
  );
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((i) => cache.owner(key(i))),
    [id(1), undefined, undefined, id(4), id(5)],
  );
});

test('with many merges remembered, a full cache empties whole: owners may name a merged-away profile', () => {
  const cache = new ProfileCache(8);
  const merges = [3, 4, 5].map((i) => ({
    from: `prf_m${i}` as ProfileId,
    into: a,
    reason: 'alias',
    messageId: `m${i}`,
    at: i,
  })) as never;
  cache.remember({
    ...empty,
    merges,
    identities: new Map([['userId:x' as IdentityKey, `prf_m3` as ProfileId]]),
  });
  assert.equal(cache.owner('userId:x' as IdentityKey), a, 'resolved through the merge');
  for (let i = 0; i < 8; i++)
    cache.remember({ ...empty, identities: new Map([[`userId:y${i}` as IdentityKey, b]]) });
  assert.equal(cache.owner('userId:x' as IdentityKey), undefined);
  assert.equal(cache.owner('userId:y7' as IdentityKey), undefined);
});
