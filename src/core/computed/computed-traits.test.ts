import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../brand.js';
import { createProfile, mergeProfiles, type Profile } from '../profiles/profile.js';
import type { ResolvedEvent } from '../profiles/resolve-batch.js';
import { createRandom, pick } from '../random.js';
import {
  FOLDED_EVENT_NAMES,
  foldComputedTraits,
  mergeComputed,
  rebuildComputedTraits,
} from './computed-traits.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-06-01T10:00:00Z');
const ID = 'prf_1' as ProfileId;

let seq = 0;
function track(event: string, daysAfter: number, properties: Record<string, unknown> = {}): ResolvedEvent {
  const timestamp = (T0 + daysAfter * DAY) as EpochMs;
  const iso = new Date(timestamp).toISOString();
  seq++;
  return {
    seq,
    profileId: ID,
    timestamp,
    message: { type: 'track', event, messageId: `m${seq}`, properties, timestamp: iso, receivedAt: iso },
  };
}

const order = (
  daysAfter: number,
  revenue: number,
  products: { category: string; quantity?: number }[] = [],
) => track('Order Completed', daysAfter, { revenue, currency: 'EUR', products });

const blank = (): Profile => createProfile(ID, T0 as EpochMs, 'web');

test('orders fold into count, revenue, average, first and last order and favourite category', () => {
  const p = foldComputedTraits(blank(), [
    order(0, 10, [{ category: 'Shoes', quantity: 1 }]),
    order(5, 30, [{ category: 'Bags', quantity: 2 }]),
    track('Product Viewed', 6, { category: 'Hats' }),
  ]);
  assert.deepEqual(p.computed, {
    ordersCount: 2,
    revenue: 40,
    averageOrderValue: 20,
    firstOrderAt: T0,
    lastOrderAt: T0 + 5 * DAY,
    currency: 'EUR',
    categoryCounts: { Shoes: 1, Bags: 2 },
    favoriteCategory: 'Bags',
  });
  // Incremental: one more batch adds to the kept counts, and the favourite moves.
  const q = foldComputedTraits(p, [order(7, 5, [{ category: 'Shoes', quantity: 2 }])]);
  assert.equal(q.computed?.favoriteCategory, 'Shoes');
  assert.deepEqual(q.computed?.categoryCounts, { Shoes: 3, Bags: 2 });
  assert.equal(q.computed?.ordersCount, 3);
  assert.equal(q.computed?.averageOrderValue, 15);
});

test('a late order (older timestamp, later batch) never moves lastOrderAt back', () => {
  const p = foldComputedTraits(blank(), [order(10, 20)]);
  const q = foldComputedTraits(p, [order(2, 20)]);
  assert.equal(q.computed?.lastOrderAt, T0 + 10 * DAY);
  assert.equal(q.computed?.firstOrderAt, T0 + 2 * DAY);
  assert.equal(q.computed?.ordersCount, 2);
});

test('a profile without orders or engagement is returned unchanged, job scores survive a fold', () => {
  const p = blank();
  assert.equal(foldComputedTraits(p, [track('Page Viewed', 1)]), p);
  const scored = { ...p, computed: { rfmGroup: 'Champions', pAlive: 0.9 } };
  const q = foldComputedTraits(scored, [order(1, 5)]);
  assert.equal(q.computed?.rfmGroup, 'Champions');
  assert.equal(q.computed?.pAlive, 0.9);
});

test('engagement is counted per channel with the last engagement time', () => {
  const p = foldComputedTraits(blank(), [
    track('Email Opened', 1),
    track('Email Link Clicked', 3),
    track('Email Delivered', 4),
    track('Push Opened', 2),
    track('SMS Link Clicked', 0),
  ]);
  assert.deepEqual(p.computed?.engagement, {
    email: { count: 2, lastAt: T0 + 3 * DAY, events: { 'Email Opened': 1, 'Email Link Clicked': 1 } },
    push: { count: 1, lastAt: T0 + 2 * DAY, events: { 'Push Opened': 1 } },
    sms: { count: 1, lastAt: T0, events: { 'SMS Link Clicked': 1 } },
  });
  assert.equal(p.computed?.lastEngagedChannel, 'email');
  assert.equal(p.computed?.lastEngagedAt, T0 + 3 * DAY);
});

test('any order and any split into batches give the same traits', () => {
  const rng = createRandom(7);
  const categories = ['A', 'B', 'C'];
  const events = Array.from({ length: 30 }, (_, i) =>
    i % 4 === 3
      ? track('Email Opened', Math.floor(rng.next() * 50))
      : order(Math.floor(rng.next() * 50), Math.round(rng.next() * 10_000) / 100, [
          { category: categories[i % 3]!, quantity: 1 + (i % 2) },
        ]),
  );
  const expected = foldComputedTraits(blank(), events).computed;
  for (let round = 0; round < 20; round++) {
    const shuffled = [...events].sort(() => rng.next() - 0.5);
    let p = blank();
    for (let i = 0; i < shuffled.length;) {
      const n = 1 + Math.floor(rng.next() * 5);
      p = foldComputedTraits(p, shuffled.slice(i, i + n));
      i += n;
    }
    const { revenue, averageOrderValue, ...rest } = p.computed as Record<string, number>;
    const { revenue: r0, averageOrderValue: a0, ...rest0 } = expected as Record<string, number>;
    assert.deepEqual(rest, rest0);
    assert.ok(Math.abs(revenue! - r0!) < 1e-5 && Math.abs(averageOrderValue! - a0!) < 1e-5);
  }
});

test('merging two profiles combines their orders and engagement as if one person had all the events', () => {
  const mine = [order(3, 10, [{ category: 'A', quantity: 1 }]), order(20, 50), track('Email Opened', 4)];
  const theirs = [order(1, 5, [{ category: 'B', quantity: 4 }]), order(9, 15), track('Email Opened', 30)];
  const survivor = foldComputedTraits({ ...blank(), userIds: ['u1'], computed: { rfmGroup: 'Loyal' } }, mine);
  const loser = foldComputedTraits(
    {
      ...createProfile('prf_2' as ProfileId, T0 as EpochMs, 'ios'),
      computed: { rfmGroup: 'Lost', pAlive: 0.2 },
    },
    theirs,
  );
  const merged = mergeProfiles(survivor, loser);
  const together = foldComputedTraits(blank(), [...mine, ...theirs]).computed!;
  assert.equal(merged.computed?.ordersCount, 4);
  assert.equal(merged.computed?.revenue, 80);
  assert.equal(merged.computed?.averageOrderValue, 20);
  assert.equal(merged.computed?.firstOrderAt, T0 + DAY);
  assert.equal(merged.computed?.lastOrderAt, T0 + 20 * DAY);
  assert.deepEqual(merged.computed?.categoryCounts, { A: 1, B: 4 });
  assert.equal(merged.computed?.favoriteCategory, 'B');
  for (const key of Object.keys(together)) assert.deepEqual(merged.computed?.[key], together[key], key);
  // Job scores are the survivor's where it has them, else the loser's, until the next run.
  assert.equal(merged.computed?.rfmGroup, 'Loyal');
  assert.equal(merged.computed?.pAlive, 0.2);
  assert.equal(mergeComputed(undefined, loser.computed), loser.computed);
});

test('a rebuild from the whole history changes nothing that was folded as events came, in any batches', () => {
  const rng = createRandom(11);
  const events = Array.from({ length: 40 }, (_, i) =>
    i % 5 === 4
      ? track(pick(rng, ['Email Opened', 'Push Opened', 'SMS Link Clicked']), Math.floor(rng.next() * 60))
      : order(Math.floor(rng.next() * 60), Math.round(rng.next() * 10_000) / 100, [
          { category: pick(rng, ['A', 'B', 'C']), quantity: 1 + (i % 3) },
        ]),
  );
  for (let round = 0; round < 20; round++) {
    let p: Profile = { ...blank(), computed: { rfmGroup: 'Champions', predictedClv: 120.5 } };
    for (let i = 0; i < events.length;) {
      const n = 1 + Math.floor(rng.next() * 6);
      p = foldComputedTraits(p, events.slice(i, i + n));
      i += n;
    }
    const shuffled = [...events].sort(() => rng.next() - 0.5);
    assert.equal(rebuildComputedTraits(p, shuffled), p, 'the same object: nothing to write');
  }
});

test('a rebuild corrects traits that are missing, stale or left from events no longer held; job scores stay', () => {
  const history = [
    order(1, 30, [{ category: 'Shoes' }]),
    order(5, 50, [{ category: 'Shoes' }]),
    track('Email Opened', 6),
  ];
  // Written before favouriteCategory and engagement existed, with a count that missed an order.
  const stale: Profile = {
    ...blank(),
    computed: {
      ordersCount: 1,
      revenue: 30,
      firstOrderAt: T0 + DAY,
      lastOrderAt: T0 + DAY,
      currency: 'EUR',
      rfmGroup: 'At Risk',
    },
  };
  const rebuilt = rebuildComputedTraits(stale, history);
  assert.notEqual(rebuilt, stale);
  assert.deepEqual(rebuilt.computed, {
    ...foldComputedTraits(blank(), history).computed,
    rfmGroup: 'At Risk',
  });
  // Orders whose events were erased: the traits go, the scores stay.
  const erased = rebuildComputedTraits(rebuilt, []);
  assert.deepEqual(erased.computed, { rfmGroup: 'At Risk' });
  // Nothing at all: the profile is returned as it is.
  const empty = blank();
  assert.equal(rebuildComputedTraits(empty, []), empty);
});

test('the events a rebuild reads are orders and every engagement event name', () => {
  assert.ok(FOLDED_EVENT_NAMES.includes('Order Completed'));
  for (const name of ['Email Opened', 'Email Link Clicked', 'Push Notification Tapped', 'WhatsApp Replied'])
    assert.ok(FOLDED_EVENT_NAMES.includes(name), name);
});
