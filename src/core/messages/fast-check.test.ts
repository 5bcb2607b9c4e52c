import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { test } from 'node:test';
import { createRandom, pick, type Random } from '../random.js';
import { isPlainValidBatch, isPlainValidMessage } from './fast-check.js';
import { batchSchema, segmentMessageSchema } from './segment-schema.js';

const ABSENT = Symbol('absent');
const str = (n: number): string => 'x'.repeat(n);
const ids = [ABSENT, null, '', 'u1', str(1024), str(1025), 42, 0, -1.5, true, {}, []];
const messageIds = [ABSENT, null, '', 'm-1', str(100), str(101), 7];
const names = [ABSENT, null, '', 'Home', str(1000), str(1001), 3, {}];
const events = [ABSENT, null, '', 'Order Completed', str(1000), str(1001), 5, []];
const dicts = [ABSENT, null, {}, { a: 1 }, [], 'x', 1, [{ a: 1 }]];
const times = [
  ABSENT,
  null,
  '',
  '2026-01-01T00:04:10.000Z',
  '2026-01-01T00:04:10Z',
  '2026-01-01T00:04:10.123456+01:00',
  '2026-01-01T00:04:10-05:30',
  '2026-01-01T00:04', // local, no seconds
  '2026-01-01T00:04:10', // local
  '2026-01-01',
  '2024-02-29T12:00:00Z', // a leap day
  '2023-02-29T12:00:00Z', // not one
  '2026-13-01T00:00:00Z',
  '2026-01-01T24:00:00Z',
  '2026-01-01 00:04:10Z',
  'yesterday',
  1767225850000,
];
const types = [ABSENT, 'track', 'identify', 'page', 'screen', 'group', 'alias', 'Track', 'batch', 1];

function maybe(rng: Random, target: Record<string, unknown>, key: string, values: readonly unknown[]): void {
  const v = pick(rng, values);
  if (v !== ABSENT) target[key] = v;
}

/**
 * A message whose fields are drawn from values zod accepts and, at a rate chosen per message, from
 * all values (so a message often has exactly one bad field, which is what finds a wrong bound).
 */
function generate(rng: Random): Record<string, unknown> {
  const m: Record<string, unknown> = {};
  const badRate = pick(rng, [0, 0.04, 0.3]);
  const choose = (all: readonly unknown[], good: readonly unknown[]) => (rng.next() < badRate ? all : good);
  maybe(rng, m, 'type', choose(types, types.slice(1, 7)));
  maybe(rng, m, 'messageId', choose(messageIds, [ABSENT, 'm-1', str(100)]));
  maybe(rng, m, 'userId', choose(ids, [ABSENT, null, 'u1', str(1024), 42]));
  maybe(rng, m, 'anonymousId', choose(ids, [ABSENT, null, 'a1']));
  maybe(rng, m, 'previousId', choose(ids, ['p1', 9]));
  maybe(rng, m, 'groupId', choose(ids, ['g1', 9]));
  maybe(rng, m, 'event', choose(events, ['Order Completed', str(1000)]));
  maybe(rng, m, 'name', choose(names, [ABSENT, null, '', 'Home']));
  maybe(rng, m, 'category', choose(names, [ABSENT, null, 'Shop']));
  for (const key of ['context', 'integrations', 'properties', 'traits'])
    maybe(rng, m, key, choose(dicts, [ABSENT, {}, { a: 1 }]));
  for (const key of ['timestamp', 'originalTimestamp', 'sentAt'])
    maybe(rng, m, key, choose(times, times.slice(3, 11)));
  if (rng.next() < 0.3) m.custom = { kept: true };
  return m;
}

test('the fast check accepts exactly the messages zod accepts and returns unchanged', () => {
  const rng = createRandom(20261207);
  let accepted = 0;
  for (let i = 0; i < 100_000; i++) {
    const m = generate(rng);
    const zod = segmentMessageSchema.safeParse(m);
    const unchanged = zod.success && isDeepStrictEqual(zod.data, m);
    assert.equal(isPlainValidMessage(m), unchanged, JSON.stringify(m).slice(0, 300));
    if (unchanged) accepted++;
  }
  // Enough of both kinds that the comparison means something.
  assert.ok(accepted > 10_000 && accepted < 90_000, `accepted ${accepted}`);
});

test('the fast check accepts exactly the batch envelopes zod accepts and returns unchanged', () => {
  const rng = createRandom(7);
  const batches = [
    ABSENT,
    null,
    [],
    [{}],
    {},
    'x',
    Array.from({ length: 2500 }),
    Array.from({ length: 2501 }),
  ];
  const writeKeys = [ABSENT, null, '', 'wk', 5];
  let accepted = 0;
  for (let i = 0; i < 5_000; i++) {
    const b: Record<string, unknown> = {};
    maybe(rng, b, 'batch', batches);
    maybe(rng, b, 'writeKey', writeKeys);
    maybe(rng, b, 'sentAt', times);
    maybe(rng, b, 'context', dicts);
    maybe(rng, b, 'integrations', dicts);
    if (rng.next() < 0.2) b.extra = 1;
    const zod = batchSchema.safeParse(b);
    const unchanged = zod.success && isDeepStrictEqual(zod.data, b);
    assert.equal(isPlainValidBatch(b), unchanged, JSON.stringify(b).slice(0, 300));
    if (unchanged) accepted++;
  }
  assert.ok(accepted > 20, `accepted ${accepted}`);
  assert.equal(isPlainValidBatch([]), false);
  assert.equal(isPlainValidMessage([]), false);
});

test('shop messages as the demo and the SDKs send them take the fast path', () => {
  const m = {
    messageId: 'node-next-1767225850000-3f1c',
    anonymousId: '73007bd9-7d76-46ea-ad35-ec52425081e8',
    context: { library: { name: 'analytics.js', version: 'npm:next-1.70.0' }, locale: 'en-GB' },
    timestamp: '2026-01-01T00:04:10.000Z',
    type: 'track',
    event: 'Products Searched',
    properties: { query: 'gift for her', results: 116 },
    originalTimestamp: '2026-01-01T00:04:10.000Z',
  };
  assert.equal(isPlainValidMessage(m), true);
  assert.equal(
    isPlainValidMessage({ ...m, userId: 42 }),
    false,
    'a numeric id is left to zod to turn into a string',
  );
});
