import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../brand.js';
import { createProfile } from '../profiles/profile.js';
import { evaluateCondition } from './evaluate.js';
import { daysSince } from './values.js';

const DAY = 86_400_000;
const LAST = Date.parse('2024-06-01T10:00:00Z');
const profile = {
  ...createProfile('prf_1' as ProfileId, LAST as EpochMs, 'web'),
  computed: { lastOrderAt: LAST },
};
const ctx = (now: number) => ({ now, isMember: () => false });

test('daysSince counts whole days, rounded down, and only from numbers', () => {
  assert.equal(daysSince(LAST, LAST), 0);
  assert.equal(daysSince(LAST, LAST + DAY - 1), 0);
  assert.equal(daysSince(LAST, LAST + DAY), 1);
  assert.equal(daysSince(LAST, LAST - 1), -1);
  assert.equal(daysSince('2024-06-01', LAST), undefined);
});

test('daysSinceLastOrder is derived at evaluation time and asks to be re-evaluated at the next whole day', () => {
  const condition = { type: 'computed', trait: 'daysSinceLastOrder', op: 'gte', value: 30 } as const;
  const before = evaluateCondition(condition, profile, ctx(LAST + 29 * DAY + 5));
  assert.deepEqual(before, { value: false, changesAt: LAST + 30 * DAY });
  assert.deepEqual(evaluateCondition(condition, profile, ctx(LAST + 30 * DAY)), {
    value: true,
    changesAt: LAST + 31 * DAY,
  });
  const none = { ...profile, computed: {} };
  assert.deepEqual(evaluateCondition(condition, none, ctx(LAST)), { value: false });
  assert.deepEqual(
    evaluateCondition({ type: 'computed', trait: 'daysSinceLastOrder', op: 'not_exists' }, none, ctx(LAST)),
    { value: true },
  );
});
