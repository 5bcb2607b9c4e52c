import type { Scalar, ValueOp } from './definition.js';

const DAY = 86_400_000;

/** Reads a dotted path from an object; `undefined` when any step is missing. */
export function readPath(root: unknown, path: string): unknown {
  let value = root;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/**
 * A date value as epoch milliseconds: an ISO-8601 string (`2024-05-01`, `2024-05-01T10:00:00Z`,
 * with an offset) or a number of milliseconds. Anything else is not a date. The SQL evaluator calls
 * this same function (registered as `ork_date_ms`), so both evaluators read dates alike.
 */
export function toDateMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
  ) {
    return undefined;
  }
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * Days from the start of `now`'s UTC day to the next yearly anniversary of a date (0 = today).
 * 29 February is celebrated on 28 February in other years. Registered for SQL as `ork_days_to_anniversary`.
 */
export function daysToAnniversary(value: unknown, now: number): number | undefined {
  const ms = toDateMs(value);
  if (ms === undefined) return undefined;
  const date = new Date(ms);
  const today = new Date(Math.floor(now / DAY) * DAY);
  const year = today.getUTCFullYear();
  const occurrence = (y: number): number => {
    const month = date.getUTCMonth();
    let day = date.getUTCDate();
    const isLeap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    if (month === 1 && day === 29 && !isLeap) day = 28;
    return Date.UTC(y, month, day);
  };
  let next = occurrence(year);
  if (next < today.getTime()) next = occurrence(year + 1);
  return Math.round((next - today.getTime()) / DAY);
}

/**
 * Whole days elapsed from a time (epoch ms) to `now`, rounded down: 0 on the day itself, negative
 * for a future time, undefined for anything but a finite number. Gives `daysSinceLastOrder`, derived
 * at evaluation time so that no stale number is stored; registered for SQL as `ork_days_since`.
 * @example daysSince(Date.parse('2024-06-01'), Date.parse('2024-06-03T12:00:00Z')) // 2
 */
export function daysSince(value: unknown, now: number): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  return Math.floor((now - value) / DAY);
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const same = (a: unknown, b: Scalar): boolean => typeof a === typeof b && a === b;

/** When a time-dependent comparison may next change its answer (ms), if it can. */
export interface Outcome {
  readonly value: boolean;
  readonly changesAt?: number;
}

const outcome = (value: boolean, changesAt?: number): Outcome =>
  changesAt === undefined ? { value } : { value, changesAt };

/**
 * Applies one comparison to one value at time `now`.
 * @example compareValue(30, { op: 'gte', value: 18 }, 0) // { value: true }
 */
export function compareValue(v: unknown, op: ValueOp, now: number): Outcome {
  switch (op.op) {
    case 'equals':
      return outcome(same(v, op.value));
    case 'not_equals':
      return outcome(!same(v, op.value));
    case 'contains':
      return outcome(typeof v === 'string' && v.includes(op.value));
    case 'starts_with':
      return outcome(typeof v === 'string' && v.startsWith(op.value));
    case 'exists':
      return outcome(v !== undefined && v !== null);
    case 'not_exists':
      return outcome(v === undefined || v === null);
    case 'gt':
      return outcome(isNumber(v) && v > op.value);
    case 'gte':
      return outcome(isNumber(v) && v >= op.value);
    case 'lt':
      return outcome(isNumber(v) && v < op.value);
    case 'lte':
      return outcome(isNumber(v) && v <= op.value);
    case 'in':
      return outcome(op.values.some((x) => same(v, x)));
    case 'not_in':
      return outcome(!op.values.some((x) => same(v, x)));
    case 'before':
    case 'after': {
      const ms = toDateMs(v);
      const bound = toDateMs(op.value)!;
      return outcome(ms !== undefined && (op.op === 'before' ? ms < bound : ms > bound));
    }
    case 'within_last_days': {
      const ms = toDateMs(v);
      if (ms === undefined) return outcome(false);
      const from = now - op.days * DAY;
      if (ms > now) return outcome(false, ms);
      return outcome(ms >= from, ms >= from ? ms + op.days * DAY + 1 : undefined);
    }
    case 'within_next_days': {
      const ms = toDateMs(v);
      if (ms === undefined || ms < now) return outcome(false);
      const until = now + op.days * DAY;
      return outcome(ms <= until, ms <= until ? ms + 1 : ms - op.days * DAY);
    }
    case 'anniversary_within_days': {
      const days = daysToAnniversary(v, now);
      if (days === undefined) return outcome(false);
      return outcome(days <= op.days, (Math.floor(now / DAY) + 1) * DAY);
    }
  }
}
