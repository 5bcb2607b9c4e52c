import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, hashString, randomInt } from './random.js';

test('the same seed gives the same sequence, another seed another', () => {
  const a = createRandom(7);
  const b = createRandom(7);
  const c = createRandom(8);
  const xs = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(
    xs,
    Array.from({ length: 5 }, () => b.next()),
  );
  assert.notDeepEqual(
    xs,
    Array.from({ length: 5 }, () => c.next()),
  );
});

test('values are in [0, 1) and roughly uniform', () => {
  const rng = createRandom(1);
  const buckets = new Array<number>(10).fill(0);
  for (let i = 0; i < 100_000; i++) {
    const x = rng.next();
    assert.ok(x >= 0 && x < 1);
    buckets[Math.floor(x * 10)]!++;
  }
  for (const n of buckets) assert.ok(n > 9_500 && n < 10_500, `bucket count ${n}`);
});

test('randomInt covers both ends', () => {
  const rng = createRandom(3);
  const seen = new Set<number>();
  for (let i = 0; i < 1000; i++) seen.add(randomInt(rng, 1, 3));
  assert.deepEqual([...seen].sort(), [1, 2, 3]);
});

test('hashString is stable', () => {
  assert.equal(hashString('abc'), hashString('abc'));
  assert.notEqual(hashString('abc'), hashString('abd'));
});
