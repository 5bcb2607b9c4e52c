import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProfileId } from '../../core/brand.js';
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
