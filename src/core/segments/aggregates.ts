import type { InboundMessage } from '../messages/inbound-message.js';
import type { Condition, EventWindow, PropertyFilter } from './definition.js';
import { compareValue, readPath, toDateMs } from './values.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * What one event condition needs to know about a person's history, kept per profile and updated per
 * event, so that real-time evaluation never rescans the history:
 * - `totals`: count, sum and number of numeric values, first and last time (window `ever` or `between`);
 * - `recent`: the matching events still inside a sliding window (`last N days`), as [time, value] pairs.
 */
export type AggregateState =
  | {
      readonly kind: 'totals';
      readonly count: number;
      readonly sum: number;
      readonly numeric: number;
      readonly first?: number;
      readonly last?: number;
    }
  | { readonly kind: 'recent'; readonly items: readonly (readonly [number, number | null])[] };

/** The part of an event condition that decides which events count and what is kept of them. */
export interface Matcher {
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
  const key = JSON.stringify([c.event, where, window, property ?? null]);
  return { key, event: c.event, where, window, ...(property !== undefined ? { property } : {}) };
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
  if (m.window.kind === 'last') {
    const from = now - windowMs(m.window);
    const items = state?.kind === 'recent' ? state.items.filter(([t]) => t >= from) : [];
    if (event.timestamp >= from) {
      const at = items.findIndex(([t]) => t > event.timestamp);
      const item = [event.timestamp, value] as const;
      if (at === -1) items.push(item);
      else items.splice(at, 0, item);
    }
    return { kind: 'recent', items };
  }
  const totals = state?.kind === 'totals' ? state : { kind: 'totals' as const, count: 0, sum: 0, numeric: 0 };
  return {
    kind: 'totals',
    count: totals.count + 1,
    sum: totals.sum + (value ?? 0),
    numeric: totals.numeric + (value === null ? 0 : 1),
    first: totals.first === undefined ? event.timestamp : Math.min(totals.first, event.timestamp),
    last: totals.last === undefined ? event.timestamp : Math.max(totals.last, event.timestamp),
  };
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
  if (state.kind === 'totals') return state;
  const span = m.window.kind === 'last' ? windowMs(m.window) : Number.POSITIVE_INFINITY;
  const from = now - span;
  let count = 0;
  let sum = 0;
  let numeric = 0;
  let first: number | undefined;
  let last: number | undefined;
  for (const [t, v] of state.items) {
    if (t < from) continue;
    count++;
    if (v !== null) {
      sum += v;
      numeric++;
    }
    first ??= t;
    last = t;
  }
  const base = {
    count,
    sum,
    numeric,
    ...(first !== undefined ? { first } : {}),
    ...(last !== undefined ? { last } : {}),
  };
  return first === undefined ? base : { ...base, nextExpiry: first + span + 1 };
}

/** Joins two people's states for the same matcher (profile merge): totals add up, windows interleave. */
export function mergeAggregate(
  a: AggregateState | undefined,
  b: AggregateState | undefined,
): AggregateState | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  if (a.kind === 'recent' && b.kind === 'recent') {
    return { kind: 'recent', items: [...a.items, ...b.items].sort((x, y) => x[0] - y[0]) };
  }
  if (a.kind === 'totals' && b.kind === 'totals') {
    const first = [a.first, b.first].filter((x): x is number => x !== undefined);
    const last = [a.last, b.last].filter((x): x is number => x !== undefined);
    return {
      kind: 'totals',
      count: a.count + b.count,
      sum: a.sum + b.sum,
      numeric: a.numeric + b.numeric,
      ...(first.length > 0 ? { first: Math.min(...first) } : {}),
      ...(last.length > 0 ? { last: Math.max(...last) } : {}),
    };
  }
  return a;
}
