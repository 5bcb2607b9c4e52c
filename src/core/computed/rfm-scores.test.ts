import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../brand.js';
import { createProfile } from '../profiles/profile.js';
import { applyRfmScore, rfmInputOf } from './rfm-scores.js';

const NOW = Date.parse('2024-06-15T12:00:00Z') as EpochMs;
const DAY = 86_400_000;
const base = { ...createProfile('prf_1' as ProfileId, NOW, 'web'), userIds: ['u1'] };
const champion = { id: 'prf_1', recency: 5, frequency: 5, monetary: 4, group: 'Champions' } as const;

test('the RFM measures come from the orders traits, days since the last order at now', () => {
  assert.equal(rfmInputOf(base, NOW), undefined);
  const p = {
    ...base,
    computed: { ordersCount: 3, revenue: 90, firstOrderAt: NOW - 40 * DAY, lastOrderAt: NOW - 2.5 * DAY },
  };
  assert.deepEqual(rfmInputOf(p, NOW), { id: 'prf_1', recencyDays: 2, frequency: 3, monetary: 90 });
});

test('a first group and a changed group are events; the same scores change nothing', () => {
  const first = applyRfmScore(base, champion, NOW);
  assert.deepEqual(first?.profile.computed, {
    rfmRecency: 5,
    rfmFrequency: 5,
    rfmMonetary: 4,
    rfmGroup: 'Champions',
  });
  assert.equal(first?.event?.event, 'RFM Group Changed');
  assert.equal(first?.event?.userId, 'u1');
  assert.deepEqual(first?.event?.properties, {
    previousGroup: null,
    group: 'Champions',
    recency: 5,
    frequency: 5,
    monetary: 4,
  });
  assert.equal(applyRfmScore(first.profile, champion, NOW), undefined);

  const sameGroup = applyRfmScore(first.profile, { ...champion, recency: 4 }, NOW);
  assert.equal(sameGroup?.profile.computed?.rfmRecency, 4);
  assert.equal(sameGroup?.event, undefined);

  const later = (NOW + DAY) as EpochMs;
  const atRisk = applyRfmScore(first.profile, { ...champion, recency: 2, group: 'At Risk' }, later);
  assert.deepEqual(atRisk?.event?.properties, {
    previousGroup: 'Champions',
    group: 'At Risk',
    recency: 2,
    frequency: 5,
    monetary: 4,
  });
  assert.equal(atRisk?.event?.timestamp, new Date(later).toISOString());
  assert.notEqual(atRisk?.event?.messageId, first?.event?.messageId);
});

test('a person who is no customer any more loses the scores, with an event to a null group', () => {
  const scored = applyRfmScore({ ...base, computed: { other: 1 } }, champion, NOW)!.profile;
  const cleared = applyRfmScore(scored, undefined, NOW);
  assert.deepEqual(cleared?.profile.computed, { other: 1 });
  assert.equal(cleared?.event?.properties?.group, null);
});
