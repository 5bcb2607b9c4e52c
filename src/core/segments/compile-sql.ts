import {
  eventTest,
  type Comparison,
  type Condition,
  type PropertyFilter,
  type Scalar,
  type ValueOp,
} from './definition.js';
import { matcherOf, matchersOf, windowMs, type Matcher } from './aggregates.js';
import { toDateMs } from './values.js';

const DAY = 86_400_000;

/**
 * A compiled segment: `SELECT profile_id …` over the whole population, with its parameters.
 * Comparisons whose exact meaning lives in one function (dates, anniversaries, buckets, reachability)
 * call that same function from SQL (`ork_date_ms`, `ork_days_to_anniversary`, `ork_days_since`,
 * `ork_bucket`, `ork_reachable`), which each store registers, so the two evaluators cannot drift apart.
 */
export interface CompiledQuery {
  readonly sql: string;
  readonly params: readonly unknown[];
}

/** What differs between SQL dialects, for this compiler. */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The JSON type of a path: 'text' | 'integer' | 'real' | 'true' | 'false' | 'null' | 'object' | 'array' | NULL. */
  jsonType(column: string, path: readonly string[]): string;
  jsonValue(column: string, path: readonly string[]): string;
  /** A placeholder for the n-th parameter (1-based). */
  placeholder(n: number): string;
}

const jsonPath = (path: readonly string[]): string => `'$${path.map((p) => `."${p}"`).join('')}'`;

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  jsonType: (column, path) => `json_type(${column}, ${jsonPath(path)})`,
  jsonValue: (column, path) => `json_extract(${column}, ${jsonPath(path)})`,
  placeholder: () => '?',
};

/** Collects the parameters of a statement as its SQL is written. */
export class Builder {
  readonly params: unknown[] = [];
  constructor(readonly dialect: SqlDialect) {}
  param(value: unknown): string {
    this.params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return this.dialect.placeholder(this.params.length);
  }
}

export const NUMERIC = `IN ('integer', 'real')`;

function equalsSql(b: Builder, type: string, value: string, x: Scalar): string {
  if (typeof x === 'boolean') return `(${type} = '${x ? 'true' : 'false'}')`;
  if (typeof x === 'number') return `(${type} ${NUMERIC} AND ${value} = ${b.param(x)})`;
  return `(${type} = 'text' AND ${value} = ${b.param(x)})`;
}

/** A value to compare: an SQL expression for its JSON type name and one for the value itself. */
export interface ValueSql {
  readonly type: string;
  readonly value: string;
}

const jsonValueSql = (b: Builder, column: string, path: readonly string[]): ValueSql => ({
  type: b.dialect.jsonType(column, path),
  value: b.dialect.jsonValue(column, path),
});

/**
 * `daysSinceLastOrder`, derived from `lastOrderAt` by the same function as in memory (`ork_days_since`).
 * `now` is inlined (an integer we produce) because the expression appears more than once.
 */
function daysSinceLastOrderSql(b: Builder, scope: ConditionScope): ValueSql {
  const { now } = scope;
  const last = stateValue(b, scope, ['computed', 'lastOrderAt']);
  const days = `ork_days_since(${last.type}, ${last.value}, ${Math.trunc(now)})`;
  return { type: `(CASE WHEN ${days} IS NULL THEN NULL ELSE 'integer' END)`, value: days };
}

/** One comparison on one JSON value, as a 0/1 expression (never NULL, so NOT works). */
function compareSql(b: Builder, column: string, path: readonly string[], op: ValueOp, now: number): string {
  return compareValueSql(b, jsonValueSql(b, column, path), op, now);
}

function compareValueSql(b: Builder, { type, value }: ValueSql, op: ValueOp, now: number): string {
  const date = `ork_date_ms(${type}, ${value})`;
  const sql = ((): string => {
    switch (op.op) {
      case 'equals':
        return equalsSql(b, type, value, op.value);
      case 'not_equals':
        return `NOT COALESCE(${equalsSql(b, type, value, op.value)}, 0)`;
      case 'contains':
        return `(${type} = 'text' AND instr(${value}, ${b.param(op.value)}) > 0)`;
      case 'starts_with':
        // Each placeholder takes its own parameter (SQLite's `?` are positional).
        return `(${type} = 'text' AND substr(${value}, 1, length(${b.param(op.value)})) = ${b.param(op.value)})`;
      case 'exists':
        return `(${type} IS NOT NULL AND ${type} <> 'null')`;
      case 'not_exists':
        return `(${type} IS NULL OR ${type} = 'null')`;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const sym = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[op.op];
        return `(${type} ${NUMERIC} AND ${value} ${sym} ${b.param(op.value)})`;
      }
      case 'in':
        return `(${op.values.map((x) => `COALESCE(${equalsSql(b, type, value, x)}, 0)`).join(' OR ')})`;
      case 'not_in':
        return `NOT (${op.values.map((x) => `COALESCE(${equalsSql(b, type, value, x)}, 0)`).join(' OR ')})`;
      case 'before':
        return `(${date} < ${b.param(toDateMs(op.value))})`;
      case 'after':
        return `(${date} > ${b.param(toDateMs(op.value))})`;
      case 'within_last_days':
        return `(${date} BETWEEN ${b.param(now - op.days * DAY)} AND ${b.param(now)})`;
      case 'within_next_days':
        return `(${date} BETWEEN ${b.param(now)} AND ${b.param(now + op.days * DAY)})`;
      case 'anniversary_within_days':
        return `(ork_days_to_anniversary(${type}, ${value}, ${b.param(now)}) <= ${b.param(op.days)})`;
    }
  })();
  return `COALESCE(${sql}, 0)`;
}

function compareNumberSql(b: Builder, expr: string, c: Comparison): string {
  const sym = { gte: '>=', gt: '>', lte: '<=', lt: '<', eq: '=' }[c.op];
  return `COALESCE(${expr} ${sym} ${b.param(c.value)}, 0)`;
}

/** The WHERE clause that picks a matcher's events from the `events` table. */
function matchSql(b: Builder, m: Matcher, now: number): string {
  return [`e.name = ${b.param(m.event)}`, ...eventTermsSql(b, m, now)].join(' AND ');
}

/**
 * A matcher's terms beyond the event name: its window first (read from the index), then its property
 * filters (which read the event body). Empty when every event of the name counts.
 */
export function eventTermsSql(b: Builder, m: Matcher, now: number): string[] {
  const parts: string[] = [];
  if (m.window.kind === 'last') parts.push(`e.timestamp >= ${b.param(now - windowMs(m.window))}`);
  if (m.window.kind === 'between') {
    parts.push(
      `e.timestamp BETWEEN ${b.param(toDateMs(m.window.from))} AND ${b.param(toDateMs(m.window.to))}`,
    );
  }
  for (const f of m.where) parts.push(filterSql(b, f));
  return parts;
}

function filterSql(b: Builder, f: PropertyFilter): string {
  return compareSql(b, 'e.body', ['properties', ...f.property.split('.')], f, 0);
}

/** One per-profile figure of a matcher: count, first and last time, sum and number of numeric values. */
export type Figure = 'c' | 'f' | 'l' | 's' | 'n';

/** Where a compiled condition reads what is not in the profile row: matcher figures and other segments. */
export interface ConditionScope {
  readonly now: number;
  /** The SQL of one figure of the matcher with this key (NULL when the profile has no matching event). */
  figure(key: string, which: Figure): string;
  /** A 0/1 expression: whether the profile `p` is a member of the segment. */
  member(b: Builder, segmentId: string): string;
  /** The value at a path of the profile state; by default read from the JSON of `p.state`. */
  readonly value?: (path: readonly string[]) => ValueSql;
  /** A 0/1 expression of reachability; by default `reachableSql`. */
  readonly reachable?: (b: Builder, channel: string, topic: string | undefined) => string;
}

/** A value of the profile state `p.state` at a path, as the scope reads it. */
const stateValue = (b: Builder, scope: ConditionScope, path: readonly string[]): ValueSql =>
  scope.value ? scope.value(path) : jsonValueSql(b, 'p.state', path);

/** Whether the profile `p` is reachable, from the JSON of `p.state` (`ork_reachable`, a 0/1 expression). */
export function reachableSql(b: Builder, channel: string, topic: string | undefined): string {
  // Only the fields reachability reads, as JSON (`->` keeps their JSON types), not the whole state.
  return `COALESCE(ork_reachable(json_object('email', p.state -> '$.traits.email', 'phone', p.state -> '$.traits.phone'), p.state -> '$.pushTokens', p.state -> '$.subscriptions', ${b.param(channel)}, ${b.param(topic ?? null)}), 0)`;
}

/** Membership as stored: the `segment_members` row of the profile. */
export const storedMember = (b: Builder, segmentId: string): string =>
  `EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ${b.param(segmentId)} AND sm.profile_id = p.id)`;

/** A condition as a 0/1 expression over the profile row `p`, reading figures and memberships from `scope`. */
export function conditionSql(b: Builder, c: Condition, scope: ConditionScope): string {
  const { now } = scope;
  switch (c.type) {
    case 'and':
    case 'or':
      return `(${c.conditions.map((x) => conditionSql(b, x, scope)).join(c.type === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${conditionSql(b, c.condition, scope)})`;
    case 'trait':
      return compareValueSql(b, stateValue(b, scope, ['traits', ...c.trait.split('.')]), c, now);
    case 'computed':
      if (c.trait === 'daysSinceLastOrder')
        return compareValueSql(b, daysSinceLastOrderSql(b, scope), c, now);
      return compareValueSql(
        b,
        stateValue(b, scope, c.trait === 'lastChannel' ? ['lastChannel'] : ['computed', c.trait]),
        c,
        now,
      );
    case 'event': {
      const key = matcherOf(c).key;
      const fig = (which: Figure): string => scope.figure(key, which);
      const { measure, compare } = eventTest(c);
      const expr =
        measure.of === 'count'
          ? `COALESCE(${fig('c')}, 0)`
          : measure.of === 'sum'
            ? `COALESCE(${fig('s')}, 0)`
            : `(CASE WHEN ${fig('n')} > 0 THEN ${fig('s')} * 1.0 / ${fig('n')} END)`;
      return compareNumberSql(b, expr, compare);
    }
    case 'event_time': {
      const at = scope.figure(matcherOf(c).key, c.which === 'first' ? 'f' : 'l');
      const within = `COALESCE(${at} >= ${b.param(now - c.days * DAY)}, 0)`;
      return c.op === 'within_last_days' ? within : `(NOT ${within})`;
    }
    case 'segment': {
      const member = scope.member(b, c.segmentId);
      return c.member ? member : `(NOT ${member})`;
    }
    case 'random_bucket':
      return `(ork_bucket(p.id, ${b.param(c.salt)}) BETWEEN ${b.param(c.from)} AND ${b.param(c.to - 1)})`;
    case 'reachable':
      return scope.reachable ? scope.reachable(b, c.channel, c.topic) : reachableSql(b, c.channel, c.topic);
  }
}

/**
 * The figures of one matcher per profile: a grouped pass over that event name's rows only. With the
 * `events_track_seq` index (name, seq, profile_id, timestamp), counts, windows and first/last times
 * are read from the index alone; only property filters and sums read the event bodies.
 */
function aggregateSql(b: Builder, m: Matcher, i: number, now: number): string {
  const cols = [`count(*) AS c${i}`, `min(e.timestamp) AS f${i}`, `max(e.timestamp) AS l${i}`];
  if (m.property !== undefined) {
    const path = ['properties', ...m.property.split('.')];
    const num = `CASE WHEN ${b.dialect.jsonType('e.body', path)} ${NUMERIC} THEN ${b.dialect.jsonValue('e.body', path)} END`;
    cols.push(`total(${num}) AS s${i}`, `count(${num}) AS n${i}`);
  }
  const where = `e.type = 'track' AND ${matchSql(b, m, now)}`;
  return `LEFT JOIN (SELECT e.profile_id, ${cols.join(', ')} FROM events e WHERE ${where} GROUP BY e.profile_id) a${i} ON a${i}.profile_id = p.id`;
}

/**
 * Compiles a condition to one query over the whole population at time `now`: each event condition's
 * figures come from one grouped pass over its event's rows, then each profile's row is tested.
 * @example compileSegmentSql({ type: 'trait', trait: 'country', op: 'equals', value: 'TR' }, { now })
 */
export function compileSegmentSql(
  condition: Condition,
  options: { readonly now: number; readonly dialect?: SqlDialect },
): CompiledQuery {
  const b = new Builder(options.dialect ?? sqliteDialect);
  const matchers = [...matchersOf(condition).values()];
  const columns = new Map(matchers.map((m, i) => [m.key, i]));
  const joins = matchers.map((m, i) => aggregateSql(b, m, i, options.now));
  const where = conditionSql(b, condition, {
    now: options.now,
    figure: (key, which) => {
      const i = columns.get(key)!;
      return `a${i}.${which}${i}`;
    },
    member: storedMember,
  });
  return {
    sql: `SELECT p.id AS profile_id FROM profiles p ${joins.join(' ')} WHERE p.merged_into IS NULL AND p.state IS NOT NULL AND ${where}`,
    params: b.params,
  };
}
