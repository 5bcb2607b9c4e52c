import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InboundMessage } from '../messages/inbound-message.js';
import { parseProfile, createProfile } from '../profiles/profile.js';
import type { EpochMs, ProfileId } from '../brand.js';
import {
  addEvent,
  matcherKey,
  matcherOf,
  mergeAggregate,
  upgradeAggregates,
  viewAggregate,
  type AggregateState,
} from './aggregates.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 23);
const order = (revenue: number): InboundMessage =>
  ({ type: 'track', event: 'Order Completed', properties: { revenue } }) as unknown as InboundMessage;
const ever = matcherOf({
  type: 'event',
  event: 'Order Completed',
  window: { kind: 'ever' },
  measure: { of: 'sum', property: 'revenue' },
  compare: { op: 'gte', value: 100 },
});
const lastWeek = matcherOf({
  type: 'event',
  event: 'Order Completed',
  window: { kind: 'last', amount: 7, unit: 'days' },
});

test('per-condition state is compact: totals are one tuple, a window its [time, value] pairs', () => {
  let totals: AggregateState | undefined;
  let recent: AggregateState | undefined;
  for (const [t, revenue] of [
    [NOW - 10 * DAY, 30],
    [NOW - 2 * DAY, 12.5],
    [NOW - 3 * DAY, 7],
  ] as const) {
    totals = addEvent(totals, ever, { message: order(revenue), timestamp: t }, NOW);
    recent = addEvent(recent, lastWeek, { message: order(revenue), timestamp: t }, NOW);
  }
  assert.deepEqual(totals, [3, 49.5, 3, NOW - 10 * DAY, NOW - 2 * DAY]);
  assert.deepEqual(recent, [
    [NOW - 3 * DAY, null],
    [NOW - 2 * DAY, null],
  ]);
  assert.deepEqual(viewAggregate(totals, ever, NOW), {
    count: 3,
    sum: 49.5,
    numeric: 3,
    first: NOW - 10 * DAY,
    last: NOW - 2 * DAY,
  });
  // The window's view drops what has expired by `now`, and says when the oldest item will.
  assert.deepEqual(viewAggregate(recent, lastWeek, NOW + 4.5 * DAY), {
    count: 1,
    sum: 0,
    numeric: 0,
    first: NOW - 2 * DAY,
    last: NOW - 2 * DAY,
    nextExpiry: NOW + 5 * DAY + 1,
  });
  assert.deepEqual(mergeAggregate(totals, [1, 100, 1, NOW - 20 * DAY, NOW - 20 * DAY]), [
    4,
    149.5,
    4,
    NOW - 20 * DAY,
    NOW - 2 * DAY,
  ]);
  assert.deepEqual(mergeAggregate(recent, [[NOW - 2.5 * DAY, null]]), [
    [NOW - 3 * DAY, null],
    [NOW - 2.5 * DAY, null],
    [NOW - 2 * DAY, null],
  ]);
});

test('matcher keys are short hashes of the definition, the same in every process', () => {
  const definition = JSON.stringify(['Order Completed', [], { kind: 'ever' }, 'revenue']);
  assert.equal(ever.key, matcherKey(definition));
  assert.match(ever.key, /^[0-9a-z]{14}$/);
  assert.notEqual(ever.key, lastWeek.key);
  // A fixed value: a change to the hash would orphan every stored profile's state.
  assert.equal(matcherKey('x'), '1y7mkjr0lgrvx7');
});

test('profiles stored by older versions are read in the current form', () => {
  const legacyEver = JSON.stringify(['Order Completed', [], { kind: 'ever' }, 'revenue']);
  const legacyWeek = JSON.stringify(['Order Completed', [], { kind: 'last', amount: 7, unit: 'days' }, null]);
  const stored = {
    ...createProfile('prf_1' as ProfileId, NOW as EpochMs, 'web'),
    aggregates: {
      [legacyEver]: { kind: 'totals', count: 2, sum: 42, numeric: 2, first: NOW - DAY, last: NOW },
      [legacyWeek]: { kind: 'recent', items: [[NOW - DAY, null]] },
    },
  };
  const profile = parseProfile(JSON.stringify(stored));
  assert.deepEqual(profile.aggregates, {
    [ever.key]: [2, 42, 2, NOW - DAY, NOW],
    [lastWeek.key]: [[NOW - DAY, null]],
  });
  assert.equal(viewAggregate(profile.aggregates?.[ever.key], ever, NOW).sum, 42);
  // Current profiles come back as they were parsed, without a copy.
  const current = { [ever.key]: [1, 1, 1, NOW, NOW] as const };
  assert.equal(upgradeAggregates(current), current);
});
