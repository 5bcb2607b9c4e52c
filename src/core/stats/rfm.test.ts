import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import {
  RFM_GROUPS,
  RFM_MAP,
  quintileScores,
  rfmGroupOf,
  scoreRfm,
  type RfmInput,
  type RfmScore,
} from './rfm.js';

test('quintiles: n distinct values split into fifths, best fifth scores 5', () => {
  assert.deepEqual(quintileScores([10, 20, 30, 40, 50]), [1, 2, 3, 4, 5]);
  assert.deepEqual(quintileScores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
  assert.deepEqual(quintileScores([7]), [1]);
  assert.deepEqual(quintileScores([]), []);
});

test('ties share the lower score, whatever order the customers come in', () => {
  // Six of ten bought once: all six score 1; then 2 (rank 6 → 1 + ⌊30/10⌋ = 4), …
  const values = [1, 1, 1, 1, 1, 1, 2, 2, 3, 9];
  assert.deepEqual(quintileScores(values), [1, 1, 1, 1, 1, 1, 4, 4, 5, 5]);
  const rng = createRandom(3);
  const scoreOf = new Map(values.map((v, i) => [v, quintileScores(values)[i]]));
  for (let round = 0; round < 10; round++) {
    const shuffled = [...values].sort(() => rng.next() - 0.5);
    quintileScores(shuffled).forEach((s, i) => assert.equal(s, scoreOf.get(shuffled[i]!)));
  }
});

test('the map is a partition: every (R, FM) cell has one of the eleven groups, and each group appears', () => {
  assert.equal(RFM_MAP.length, 5);
  const seen = new Set(RFM_MAP.flat());
  assert.deepEqual([...seen].sort(), [...RFM_GROUPS].sort());
  assert.equal(rfmGroupOf(5, 5, 5), 'Champions');
  assert.equal(rfmGroupOf(5, 1, 1), 'New Customers');
  assert.equal(rfmGroupOf(1, 5, 5), "Can't Lose Them");
  assert.equal(rfmGroupOf(1, 1, 1), 'Lost');
  assert.equal(rfmGroupOf(2, 1, 2), 'Hibernating'); // FM = ⌊(1 + 2 + 1) / 2⌋ = 2
  assert.equal(rfmGroupOf(3, 3, 4), 'Loyal'); // FM 3.5 rounds half up to 4
  assert.equal(rfmGroupOf(2, 4, 3), 'At Risk');
  assert.equal(rfmGroupOf(3, 2, 2), 'About to Sleep');
  assert.equal(rfmGroupOf(3, 3, 3), 'Need Attention');
  assert.equal(rfmGroupOf(4, 1, 1), 'Promising');
  assert.equal(rfmGroupOf(4, 3, 2), 'Potential Loyalist');
});

test('scoreRfm: recent, frequent, big spenders are Champions; old small ones Lost; non-customers left out', () => {
  const customers: RfmInput[] = Array.from({ length: 10 }, (_, i) => ({
    id: `c${i}`,
    recencyDays: 100 - i * 10, // c9 bought most recently
    frequency: i + 1,
    monetary: (i + 1) * 20,
  }));
  const scored = scoreRfm([...customers, { id: 'none', recencyDays: 0, frequency: 0, monetary: 0 }]);
  assert.equal(scored.length, 10);
  const byId = new Map(scored.map((s) => [s.id, s]));
  assert.deepEqual(byId.get('c9'), { id: 'c9', recency: 5, frequency: 5, monetary: 5, group: 'Champions' });
  assert.deepEqual(byId.get('c0'), { id: 'c0', recency: 1, frequency: 1, monetary: 1, group: 'Lost' });
  for (const s of scored)
    for (const k of ['recency', 'frequency', 'monetary'] as const) {
      assert.ok(([1, 2, 3, 4, 5] as RfmScore[]).includes(s[k]));
    }
});
