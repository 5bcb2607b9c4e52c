import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../src/core/brand.js';
import type { InboundMessage } from '../src/core/messages/inbound-message.js';
import { createProfile, type Profile } from '../src/core/profiles/profile.js';
import { createRandom, pick, randomInt, type Random } from '../src/core/random.js';
import { addEvent, eventMatches, matchersOf, type AggregateState } from '../src/core/segments/aggregates.js';
import type {
  Condition,
  PropertyFilter,
  SegmentDefinition,
  ValueOp,
} from '../src/core/segments/definition.js';
import { conditionSchema } from '../src/core/segments/definition.js';
import { evaluateCondition } from '../src/core/segments/evaluate.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { runSegmentBatch, splitProfileRange } from '../src/store/sqlite/segment-batch.js';
import { registerSegmentFunctions } from '../src/store/sqlite/sqlite-functions.js';
import type { Store } from '../src/store/store.js';

/**
 * Invariant 5 of ARCHITECTURE.md: a segment definition compiled to SQL and evaluated in memory from
 * the incremental state give the same members, over random definitions and random histories.
 */

const DAY = 86_400_000;
const NOW = Date.parse('2024-06-15T12:00:00Z');
const COUNTRIES = ['TR', 'DE', 'GB', 'US'];
const CATEGORIES = ['Shoes', 'Apparel', 'Beauty'];
const EVENTS = ['Product Viewed', 'Order Completed', 'Product Added'];
const SEGMENTS = ['vip', 'newsletter'];

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function randomValueOp(rng: Random, kind: 'string' | 'number' | 'date' | 'bool' | 'any'): ValueOp {
  const r = rng.next();
  if (kind === 'string') {
    const v = pick(rng, [...COUNTRIES, ...CATEGORIES, 'T', 'Sh']);
    return pick<ValueOp>(rng, [
      { op: 'equals', value: v },
      { op: 'not_equals', value: v },
      { op: 'contains', value: v },
      { op: 'starts_with', value: v },
      { op: 'in', values: [v, pick(rng, COUNTRIES)] },
      { op: 'not_in', values: [v] },
      { op: 'exists' },
      { op: 'not_exists' },
    ]);
  }
  if (kind === 'number') {
    const v = randomInt(rng, 0, 100);
    return pick<ValueOp>(rng, [
      { op: 'gt', value: v },
      { op: 'gte', value: v },
      { op: 'lt', value: v },
      { op: 'lte', value: v },
      { op: 'equals', value: v },
      { op: 'in', values: [v, v + 1] },
    ]);
  }
  if (kind === 'bool') return r < 0.5 ? { op: 'equals', value: true } : { op: 'not_equals', value: false };
  if (kind === 'date') {
    return pick<ValueOp>(rng, [
      { op: 'before', value: isoDate(NOW - randomInt(rng, 0, 400) * DAY) },
      { op: 'after', value: isoDate(NOW - randomInt(rng, 0, 400) * DAY) },
      { op: 'within_last_days', days: randomInt(rng, 1, 60) },
      { op: 'within_next_days', days: randomInt(rng, 1, 60) },
      { op: 'anniversary_within_days', days: randomInt(rng, 0, 40) },
    ]);
  }
  return pick<ValueOp>(rng, [
    { op: 'exists' },
    { op: 'not_exists' },
    { op: 'equals', value: 'TR' },
    { op: 'gt', value: 5 },
  ]);
}

function randomFilter(rng: Random): PropertyFilter {
  const op: ValueOp = rng.next() < 0.5 ? randomValueOp(rng, 'string') : randomValueOp(rng, 'number');
  return {
    property:
      'contains' in op || typeof (op as { value?: unknown }).value === 'string' ? 'category' : 'price',
    ...op,
  };
}

function randomCondition(rng: Random, depth: number): Condition {
  const r = rng.next();
  if (depth > 0 && r < 0.3) {
    const conditions = Array.from({ length: randomInt(rng, 1, 3) }, () => randomCondition(rng, depth - 1));
    return rng.next() < 0.5 ? { type: 'and', conditions } : { type: 'or', conditions };
  }
  if (depth > 0 && r < 0.38) return { type: 'not', condition: randomCondition(rng, depth - 1) };
  const leaf = rng.next();
  if (leaf < 0.12) return { type: 'trait', trait: 'country', ...randomValueOp(rng, 'string') };
  if (leaf < 0.2) return { type: 'trait', trait: 'age', ...randomValueOp(rng, 'number') };
  if (leaf < 0.25) return { type: 'trait', trait: 'vip', ...randomValueOp(rng, 'bool') };
  if (leaf < 0.33)
    return {
      type: 'trait',
      trait: pick(rng, ['signupAt', 'birthday', 'address.since']),
      ...randomValueOp(rng, 'date'),
    };
  if (leaf < 0.37)
    return { type: 'trait', trait: pick(rng, ['mixed', 'address.city']), ...randomValueOp(rng, 'any') };
  if (leaf < 0.42) return { type: 'computed', trait: 'ordersCount', ...randomValueOp(rng, 'number') };
  if (leaf < 0.45)
    return { type: 'computed', trait: 'lastChannel', op: 'equals', value: pick(rng, ['web', 'ios']) };
  if (leaf < 0.49) {
    const trait = pick(rng, ['daysSinceLastOrder', 'lastOrderAt', 'revenue'] as const);
    return { type: 'computed', trait, ...randomValueOp(rng, trait === 'lastOrderAt' ? 'date' : 'number') };
  }
  if (leaf < 0.72) {
    const window = pick(rng, [
      { kind: 'ever' as const },
      { kind: 'last' as const, amount: randomInt(rng, 1, 45), unit: 'days' as const },
      { kind: 'last' as const, amount: randomInt(rng, 1, 72), unit: 'hours' as const },
      { kind: 'between' as const, from: isoDate(NOW - 40 * DAY), to: new Date(NOW - 10 * DAY).toISOString() },
    ]);
    const measure = pick(rng, [
      undefined,
      { of: 'count' as const },
      { of: 'sum' as const, property: 'price' },
      { of: 'avg' as const, property: 'price' },
    ]);
    const compare = pick(rng, [
      undefined,
      { op: pick(rng, ['gte', 'lte', 'eq', 'gt', 'lt'] as const), value: randomInt(rng, 0, 60) },
    ]);
    return {
      type: 'event',
      event: pick(rng, EVENTS),
      window,
      ...(rng.next() < 0.5 ? { where: [randomFilter(rng)] } : {}),
      ...(measure ? { measure } : {}),
      ...(compare ? { compare } : {}),
    };
  }
  if (leaf < 0.8) {
    return {
      type: 'event_time',
      event: pick(rng, EVENTS),
      which: pick(rng, ['first', 'last'] as const),
      op: pick(rng, ['within_last_days', 'not_within_last_days'] as const),
      days: randomInt(rng, 1, 60),
      ...(rng.next() < 0.3 ? { where: [randomFilter(rng)] } : {}),
    };
  }
  if (leaf < 0.86) return { type: 'segment', segmentId: pick(rng, SEGMENTS), member: rng.next() < 0.5 };
  if (leaf < 0.92) {
    const from = randomInt(rng, 0, 100);
    return { type: 'random_bucket', salt: pick(rng, ['a', 'b']), from, to: randomInt(rng, from, 100) };
  }
  return {
    type: 'reachable',
    channel: pick(rng, ['email', 'sms', 'push'] as const),
    ...(rng.next() < 0.3 ? { topic: 'news' } : {}),
  };
}

function randomTraits(rng: Random): Record<string, unknown> {
  const t: Record<string, unknown> = {};
  const maybe = (p: number, k: string, v: () => unknown) => {
    if (rng.next() < p) t[k] = v();
  };
  maybe(0.8, 'country', () => pick(rng, [...COUNTRIES, 'tr', 5]));
  maybe(0.7, 'age', () => pick(rng, [randomInt(rng, 0, 100), randomInt(rng, 0, 100) + 0.5, '42', null]));
  maybe(0.5, 'vip', () => pick(rng, [true, false, 'true', 1]));
  maybe(0.7, 'signupAt', () =>
    pick(rng, [
      new Date(NOW - randomInt(rng, -30, 400) * DAY).toISOString(),
      NOW - randomInt(rng, 0, 100) * DAY,
      'soon',
    ]),
  );
  maybe(0.6, 'birthday', () =>
    isoDate(Date.UTC(randomInt(rng, 1960, 2005), randomInt(rng, 0, 11), randomInt(rng, 1, 28))),
  );
  maybe(0.3, 'mixed', () => pick(rng, [{ a: 1 }, [1], 'TR', 7, true, null]));
  maybe(0.5, 'address', () => ({
    city: pick(rng, ['Izmir', 'Berlin', 7]),
    since: isoDate(NOW - randomInt(rng, -50, 50) * DAY),
  }));
  maybe(0.6, 'email', () => pick(rng, ['a@b.io', 'nope']));
  maybe(0.4, 'phone', () => pick(rng, ['+905321234567', '123']));
  return t;
}

function randomEvents(rng: Random, profileId: string): InboundMessage[] {
  return Array.from({ length: randomInt(rng, 0, 12) }, (_, i) => {
    const ts = NOW - randomInt(rng, -2, 60 * 24) * 3_600_000;
    const properties: Record<string, unknown> = {};
    if (rng.next() < 0.8) properties.category = pick(rng, [...CATEGORIES, 7]);
    if (rng.next() < 0.8) properties.price = pick(rng, [randomInt(rng, 0, 100), '12', true]);
    return {
      type: 'track',
      event: pick(rng, EVENTS),
      userId: profileId,
      messageId: `${profileId}-${i}`,
      properties,
      timestamp: new Date(ts).toISOString(),
      receivedAt: new Date(ts).toISOString(),
    };
  });
}

/** Orders traits as the computed-traits fold stores them, plus malformed values the evaluators must agree on. */
function randomComputed(rng: Random): Record<string, unknown> {
  const c: Record<string, unknown> = {};
  if (rng.next() < 0.7) c.ordersCount = pick(rng, [randomInt(rng, 0, 100), '3']);
  if (rng.next() < 0.6) {
    c.lastOrderAt = pick(rng, [
      NOW - randomInt(rng, -3 * 24, 90 * 24) * 3_600_000 - randomInt(rng, 0, 3_599_999),
      NOW - 5 * DAY,
      'yesterday',
    ]);
  }
  if (rng.next() < 0.6) c.revenue = pick(rng, [randomInt(rng, 0, 100) + 0.25, randomInt(rng, 0, 100)]);
  return c;
}

/** 120 random profiles with the per-condition state of these conditions, stored with their events. */
async function createFixture(
  rng: Random,
  conditions: readonly Condition[],
  path = ':memory:',
): Promise<{ store: Store; profiles: Profile[] }> {
  for (const c of conditions) assert.ok(conditionSchema.safeParse(c).success, JSON.stringify(c));
  const matchers = new Map();
  for (const c of conditions) matchersOf(c, matchers);

  const store = openSqliteStore({ path });
  const profiles: Profile[] = [];
  const memberships: { segmentId: string; profileId: ProfileId; entered: boolean; at: number }[] = [];
  const events: { seq: number; profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }[] = [];
  for (let i = 0; i < 120; i++) {
    const id = `prf_${String(i).padStart(4, '0')}` as ProfileId;
    const history = randomEvents(rng, id);
    // Events arrive in random order: the incremental state must not care.
    const shuffled = [...history].sort(() => rng.next() - 0.5);
    const aggregates: Record<string, AggregateState> = {};
    for (const message of shuffled) {
      const timestamp = Date.parse(message.timestamp);
      for (const m of matchers.values()) {
        if (eventMatches(m, message, timestamp))
          aggregates[m.key] = addEvent(aggregates[m.key], m, { message, timestamp }, NOW);
      }
      events.push({ seq: events.length + 1, profileId: id, message, timestamp: timestamp as EpochMs });
    }
    const segments: Record<string, number> = {};
    for (const s of SEGMENTS) {
      if (rng.next() < 0.4) {
        segments[s] = NOW;
        memberships.push({ segmentId: s, profileId: id, entered: true, at: NOW });
      }
    }
    const base = createProfile(id, NOW as EpochMs, pick(rng, ['web', 'ios', 'server']));
    const profile: Profile = {
      ...base,
      traits: randomTraits(rng),
      aggregates,
      segments,
      computed: randomComputed(rng),
      ...(rng.next() < 0.4 ? { subscriptions: { [pick(rng, ['email', 'sms', 'email:news'])]: false } } : {}),
      pushTokens: rng.next() < 0.3 ? [{ token: `t${i}`, platform: 'ios', updatedAt: NOW as EpochMs }] : [],
    };
    profiles.push(profile);
  }
  await store.commitBatch({ merges: [], identities: new Map(), events, profiles, memberships });
  return { store, profiles };
}

test('in-memory and SQL evaluation agree over 400 random definitions and 120 random profiles', async () => {
  const rng = createRandom(20240615);
  const conditions = Array.from({ length: 400 }, () => randomCondition(rng, 3));
  const { store, profiles } = await createFixture(rng, conditions);
  let disagreements = 0;
  let nonTrivial = 0;
  for (const condition of conditions) {
    const memory = profiles
      .filter(
        (p) =>
          evaluateCondition(condition, p, { now: NOW, isMember: (s) => p.segments?.[s] !== undefined }).value,
      )
      .map((p) => p.id)
      .sort();
    const sql = (await store.querySegment(condition, NOW as EpochMs)).sort();
    if (memory.length > 0 && memory.length < profiles.length) nonTrivial++;
    if (JSON.stringify(memory) !== JSON.stringify(sql)) {
      disagreements++;
      if (disagreements <= 3) {
        const onlyMemory = memory.filter((x) => !sql.includes(x));
        const onlySql = sql.filter((x) => !memory.includes(x));
        const p = profiles.find((x) => x.id === (onlyMemory[0] ?? onlySql[0]));
        console.log(JSON.stringify({ condition, onlyMemory, onlySql, traits: p?.traits }, null, 1));
      }
    }
  }
  assert.equal(disagreements, 0, `${disagreements} of ${conditions.length} definitions disagree`);
  assert.ok(
    nonTrivial > 150,
    `only ${nonTrivial} definitions split the population: the generator is too weak`,
  );
  await store.close();
});

test('a full recompute in shared passes gives every segment the members the in-memory evaluator gives', async () => {
  const rng = createRandom(20240616);
  const definitions: SegmentDefinition[] = [];
  for (let i = 0; i < 80; i++) {
    let condition = randomCondition(rng, 3);
    // Segments of the batch refer to earlier ones, whose fresh answer they must read.
    if (i > 0 && rng.next() < 0.5) {
      const segmentId = `s${randomInt(rng, 0, i - 1)}`;
      const ref: Condition = { type: 'segment', segmentId, member: rng.next() < 0.5 };
      condition = { type: rng.next() < 0.5 ? 'and' : 'or', conditions: [condition, ref] };
    }
    definitions.push({ id: `s${i}`, name: `s${i}`, condition });
  }
  const path = join(mkdtempSync(join(tmpdir(), 'orkestra-segments-')), 'orkestra.db');
  const { store, profiles } = await createFixture(
    rng,
    definitions.map((d) => d.condition),
    path,
  );
  const memory = new Map(definitions.map((d) => [d.id, [] as string[]]));
  for (const p of profiles) {
    const fresh = new Map<string, boolean>();
    const isMember = (s: string): boolean => fresh.get(s) ?? p.segments?.[s] !== undefined;
    for (const d of definitions) {
      const { value } = evaluateCondition(d.condition, p, { now: NOW, isMember });
      fresh.set(d.id, value);
      if (value) memory.get(d.id)!.push(p.id);
    }
  }
  const sql = await store.querySegments(definitions, NOW as EpochMs);
  // The parallel path: the same batch over ranges of profile ids, on a connection of its own.
  const db = new Database(path, { readonly: true });
  registerSegmentFunctions(db);
  const ranges = splitProfileRange(profiles[0]!.id, profiles.at(-1)!.id, 3);
  assert.equal(ranges.length, 3);
  const parts = ranges.map((range) => runSegmentBatch(db, definitions, { now: NOW, range }));
  db.close();
  definitions.forEach((d, i) =>
    assert.deepEqual(
      parts.flatMap((p) => p[i]!),
      sql.get(d.id),
      d.id,
    ),
  );
  const differing = definitions.filter(
    (d) => JSON.stringify(memory.get(d.id)!.sort()) !== JSON.stringify([...(sql.get(d.id) ?? [])].sort()),
  );
  assert.deepEqual(
    differing.map((d) => d.id),
    [],
    JSON.stringify(differing[0]?.condition),
  );
  const split = definitions.filter((d) => memory.get(d.id)!.length % profiles.length !== 0).length;
  assert.ok(split > 30, `only ${split} definitions split the population`);
  await store.close();
  rmSync(dirname(path), { recursive: true, force: true });
});
