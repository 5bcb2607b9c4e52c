import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, randomInt } from '../random.js';
import { diffMembers } from './memberships.js';

const ids = (xs: readonly number[]): string[] => xs.map((x) => `prf_${String(x).padStart(3, '0')}`);

test('diffMembers: merging sorted lists gives what sets give', () => {
  const rng = createRandom(7);
  for (let round = 0; round < 200; round++) {
    const pickSome = (): number[] =>
      [...new Set(Array.from({ length: randomInt(rng, 0, 30) }, () => randomInt(rng, 0, 40)))].sort(
        (a, b) => a - b,
      );
    const wanted = ids(pickSome());
    const current = ids(pickSome());
    const merged = diffMembers(wanted, current);
    const hashed = diffMembers([...wanted].reverse(), current);
    assert.deepEqual(
      merged.entering,
      wanted.filter((x) => !current.includes(x)),
    );
    assert.deepEqual(
      merged.leaving,
      current.filter((x) => !wanted.includes(x)),
    );
    assert.deepEqual([...hashed.entering].sort(), merged.entering);
    assert.deepEqual(hashed.leaving, merged.leaving);
    assert.equal(merged.size, wanted.length);
  }
});
