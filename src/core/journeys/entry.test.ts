import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs, MS_PER_DAY } from '../brand.js';
import { decideEntry, matchEventTrigger } from './entry.js';
import { at, defineJourney } from './fixtures.js';

const journey = (reEntry: object, keyed = false) =>
  defineJourney({
    id: 'j',
    name: 'J',
    trigger: { type: 'event', event: 'Cart Abandoned', where: [{ property: 'value', op: 'gt', value: 10 }] },
    ...(keyed ? { runKey: { property: 'cartId' } } : {}),
    reEntry,
    nodes: [{ id: 'start', type: 'entry' }],
    edges: [],
  });
const now = at('2025-01-10T00:00:00Z');
const ended = { status: 'ended' as const, startedAt: asEpochMs(now - 2 * MS_PER_DAY) };
const active = { status: 'active' as const, startedAt: asEpochMs(now - MS_PER_DAY) };

test('an event trigger matches by name and filters, and gives the run key', () => {
  const j = journey({}, true);
  assert.deepEqual(
    matchEventTrigger(j, { event: 'Cart Abandoned', properties: { value: 20, cartId: 'c1' } }),
    {
      ok: true,
      value: { runKey: 'c1' },
    },
  );
  assert.deepEqual(
    matchEventTrigger(j, { event: 'Cart Abandoned', properties: { value: 5, cartId: 'c1' } }),
    {
      ok: false,
      error: 'not_triggered',
    },
  );
  assert.deepEqual(matchEventTrigger(j, { event: 'Cart Abandoned', properties: { value: 20 } }), {
    ok: false,
    error: 'missing_run_key',
  });
});

test('re-entry: never, after the previous ends, after N days, max concurrent', () => {
  assert.deepEqual(decideEntry(journey({ mode: 'never' }), [ended], { now }).ok, false);
  assert.deepEqual(decideEntry(journey({ mode: 'never' }), [], { now }).ok, true);
  assert.deepEqual(decideEntry(journey({}), [active], { now }), { ok: false, error: 'previous_active' });
  assert.deepEqual(decideEntry(journey({}), [ended], { now }).ok, true);
  assert.deepEqual(decideEntry(journey({ mode: 'after_days', days: 3 }), [ended], { now }), {
    ok: false,
    error: 'too_soon',
  });
  assert.deepEqual(decideEntry(journey({ mode: 'after_days', days: 2 }), [ended], { now }).ok, true);
  const two = journey({ mode: 'after_days', days: 1, maxConcurrent: 2 });
  assert.equal(decideEntry(two, [active], { now }).ok, true);
  assert.deepEqual(
    decideEntry(two, [active, { ...active, startedAt: asEpochMs(now - 3 * MS_PER_DAY) }], { now }),
    {
      ok: false,
      error: 'max_concurrent',
    },
  );
});

test('keyed journeys count only runs of the same key: two carts are two runs', () => {
  const j = journey({}, true);
  assert.equal(decideEntry(j, [{ ...active, runKey: 'c1' }], { now, runKey: 'c2' }).ok, true);
  assert.equal(decideEntry(j, [{ ...active, runKey: 'c1' }], { now, runKey: 'c1' }).ok, false);
});
