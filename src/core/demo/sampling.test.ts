import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import { drawWeighted, gaussian, poisson, weightTable } from './sampling.js';

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

test('poisson and gaussian draws have the expected means', () => {
  const rng = createRandom(9);
  for (const lambda of [0.5, 3, 12, 80]) {
    const m = mean(Array.from({ length: 20_000 }, () => poisson(rng, lambda)));
    assert.ok(Math.abs(m - lambda) < lambda * 0.05 + 0.02, `poisson(${lambda}) mean ${m}`);
  }
  assert.ok(Math.abs(mean(Array.from({ length: 20_000 }, () => gaussian(rng)))) < 0.03);
});

test('weighted draws follow the weights', () => {
  const rng = createRandom(4);
  const table = weightTable(['a', 'b', 'c'], (_x, i) => [1, 0, 3][i] ?? 0);
  const counts = { a: 0, b: 0, c: 0 };
  for (let i = 0; i < 40_000; i++) counts[drawWeighted(rng, table) as 'a' | 'b' | 'c']++;
  assert.equal(counts.b, 0);
  assert.ok(Math.abs(counts.c / counts.a - 3) < 0.2, JSON.stringify(counts));
  assert.throws(() => weightTable([], () => 1), RangeError);
});
