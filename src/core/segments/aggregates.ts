import { hashString } from '../random.js';
import type { InboundMessage } from '../messages/inbound-message.js';
import type { Condition, EventWindow, PropertyFilter } from './definition.js';
import { compareValue, readPath, toDateMs } from './values.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * What one event condition needs to know about a person's history, kept per profile and updated per
 * event, so that real-time evaluation never rescans the history. It is stored in every profile row
 * and rewritten on each event, so its form is compact: with tagged objects under keys that were the
 * whole matcher definition, a bench profile's JSON was about 2 KB instead of 0.9, and writing the
 * profile row (stringify and upsert) was the largest cost inside the engine's transaction:
 * - `TotalsState` (window `ever` or `between`): `[count, sum, numeric, first, last]`, where `numeric`
 *   counts the events whose measured property was a number, and first and last are event times;
 * - `RecentState` (window `last N hours/days`): the matching events still inside the window, as
 *   `[time, value]` pairs ordered by time (value null when the condition measures no property).
 */
export type TotalsState = readonly [count: number, sum: number, numeric: number, first: number, last: number];
export type RecentState = readonly (readonly [time: number, value: number | null])[];
export type AggregateState = TotalsState | RecentState;

/** Totals start with a number (the count); a window's items are pairs, and an empty window is `[]`. */
export const isTotals = (state: AggregateState): state is TotalsState => typeof state[0] === 'number';

/** The part of an event condition that decides which events count and what is kept of them. */
export interface Matcher {
  /** Where profiles keep this matcher's state: a 64-bit hash of its definition (see `matcherKey`). */
  readonly key: string;
  readonly event: string;
  readonly where: readonly PropertyFilter[];
  readonly window: EventWindow;
  /** Numeric property summed or averaged, if any. */
  readonly property?: string;
}

/** The matcher of an event condition; conditions that differ only in their comparison share one. */
export function matcherOf(c: Extract<Condition, { type: 'event' | 'event_time' }>): Matcher {
  // Evaluation asks for the matcher of the same condition object for every profile: build it once.
  let m = matcherCache.get(c);
  if (m === undefined) matcherCache.set(c, (m = buildMatcher(c)));
  return m;
}

const matcherCache = new WeakMap<object, Matcher>();

function buildMatcher(c: Extract<Condition, { type: 'event' | 'event_time' }>): Matcher {
  const window: EventWindow = c.type === 'event' ? c.window : { kind: 'ever' };
  const property =
    c.type === 'event' && c.measure && c.measure.of !== 'count' ? c.measure.property : undefined;
  const where = c.where ?? [];
  const key = matcherKey(JSON.stringify([c.event, where, window, property ?? null]));
  return { key, event: c.event, where, window, ...(property !== undefined ? { property } : {}) };
}

/**
 * The key of a matcher from its definition as JSON (which is what keys were before they were hashed,
 * and what `upgradeAggregates` finds in older profiles): two 32-bit FNV-1a hashes in base 36, 14
 * characters. Keys are written into every profile, so they are short; with 64 bits, two of a shop's
 * matchers sharing one is not a practical concern (about 10⁻¹⁵ for a hundred).
 */
export function matcherKey(definition: string): string {
  return (
    hashString(definition).toString(36).padStart(7, '0') +
    hashString(`~${definition}`).toString(36).padStart(7, '0')
  );
}

/** Every matcher a condition tree uses (deduplicated by key). */
export function matchersOf(condition: Condition, into = new Map<string, Matcher>()): Map<string, Matcher> {
  switch (condition.type) {
    case 'and':
    case 'or':
      for (const c of condition.conditions) matchersOf(c, into);
      break;
    case 'not':
      matchersOf(condition.condition, into);
      break;
    case 'event':
    case 'event_time': {
      const m = matcherOf(condition);
      into.set(m.key, m);
      break;
    }
    default:
      break;
  }
  return into;
}

export const windowMs = (w: Extract<EventWindow, { kind: 'last' }>): number =>
  w.amount * (w.unit === 'hours' ? HOUR : DAY);

/** True when a stored event counts for this matcher (name, property filters, fixed date range). */
export function eventMatches(m: Matcher, message: InboundMessage, timestamp: number): boolean {
  if (message.type !== 'track' || message.event !== m.event) return false;
  if (m.window.kind === 'between') {
    if (timestamp < toDateMs(m.window.from)! || timestamp > toDateMs(m.window.to)!) return false;
  }
  // Property filters never depend on `now` (see propertyFilterSchema), so 0 is as good as any time.
  return m.where.every((f) => compareValue(readPath(message.properties, f.property), f, 0).value);
}

function numericValue(m: Matcher, message: InboundMessage): number | null {
  if (m.property === undefined) return null;
  const v = readPath(message.properties, m.property);
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * Folds one event into a matcher's state. `now` prunes sliding windows, so the state stays as small as
 * the window. Events may arrive out of order: the state is correct whatever the order.
 */
export function addEvent(
  state: AggregateState | undefined,
  m: Matcher,
  event: { message: InboundMessage; timestamp: number },
  now: number,
): AggregateState {
  const value = numericValue(m, event.message);
  const t = event.timestamp;
  if (m.window.kind === 'last') {
    const from = now - windowMs(m.window);
    const items = state !== undefined && !isTotals(state) ? state.filter(([time]) => time >= from) : [];
    if (t >= from) {
      const at = items.findIndex(([time]) => time > t);
      const item = [t, value] as const;
      if (at === -1) items.push(item);
      else items.splice(at, 0, item);
    }
    return items;
  }
  if (state === undefined || !isTotals(state)) return [1, value ?? 0, value === null ? 0 : 1, t, t];
  const [count, sum, numeric, first, last] = state;
  return [
    count + 1,
    sum + (value ?? 0),
    numeric + (value === null ? 0 : 1),
    Math.min(first, t),
    Math.max(last, t),
  ];
}

/** The figures a condition compares, as of `now`, and when the oldest windowed event drops out. */
export interface AggregateView {
  readonly count: number;
  readonly sum: number;
  readonly numeric: number;
  readonly first?: number;
  readonly last?: number;
  readonly nextExpiry?: number;
}

export function viewAggregate(state: AggregateState | undefined, m: Matcher, now: number): AggregateView {
  if (state === undefined) return { count: 0, sum: 0, numeric: 0 };
  if (isTotals(state)) {
    const [count, sum, numeric, first, last] = state;
    return { count, sum, numeric, first, last };
  }
  const span = m.window.kind === 'last' ? windowMs(m.window) : Number.POSITIVE_INFINITY;
  const from = now - span;
  let count = 0;
  let sum = 0;
  let numeric = 0;
  let first: number | undefined;
  let last: number | undefined;
  for (const [t, v] of state) {
    if (t < from) continue;
    count++;
    if (v !== null) {
      sum += v;
      numeric++;
    }
    first ??= t;
    last = t;
  }
  if (first === undefined || last === undefined) return { count, sum, numeric };
  return { count, sum, numeric, first, last, nextExpiry: first + span + 1 };
}

/** Joins two people's states for the same matcher (profile merge): totals add up, windows interleave. */
export function mergeAggregate(
  a: AggregateState | undefined,
  b: AggregateState | undefined,
): AggregateState | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (!isTotals(a) && !isTotals(b)) return [...a, ...b].sort((x, y) => x[0] - y[0]);
  if (isTotals(a) && isTotals(b)) {
    return [a[0] + b[0], a[1] + b[1], a[2] + b[2], Math.min(a[3], b[3]), Math.max(a[4], b[4])];
  }
  return a;
}

/**
 * Per-condition states as older versions stored them, in the current form: keys that are a matcher's
 * JSON definition become `matcherKey` of it, and `{ kind: 'totals', ... }` / `{ kind: 'recent',
 * items }` objects become tuples. Returns the same object when there is nothing to upgrade (the
 * common case, checked without allocating), so stores can apply it to every profile they read.
 */
export function upgradeAggregates(
  stored: Readonly<Record<string, unknown>>,
): Readonly<Record<string, AggregateState>> {
  let legacy = false;
  for (const key in stored) {
    if (key.startsWith('[') || !Array.isArray(stored[key])) {
      legacy = true;
      break;
    }
  }
  if (!legacy) return stored as Readonly<Record<string, AggregateState>>;
  const out: Record<string, AggregateState> = {};
  for (const [key, value] of Object.entries(stored)) {
    const state = upgradeState(value);
    if (state !== undefined) out[key.startsWith('[') ? matcherKey(key) : key] = state;
  }
  return out;
}

function upgradeState(value: unknown): AggregateState | undefined {
  if (Array.isArray(value)) return value as AggregateState;
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as {
    kind?: unknown;
    items?: unknown;
    count?: unknown;
    sum?: unknown;
    numeric?: unknown;
    first?: unknown;
    last?: unknown;
  };
  if (v.kind === 'recent' && Array.isArray(v.items)) return v.items as RecentState;
  if (
    v.kind !== 'totals' ||
    typeof v.count !== 'number' ||
    typeof v.first !== 'number' ||
    typeof v.last !== 'number'
  )
    return undefined;
  return [v.count, Number(v.sum) || 0, Number(v.numeric) || 0, v.first, v.last];
}
