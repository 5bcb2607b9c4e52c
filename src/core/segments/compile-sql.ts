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

class Builder {
  readonly params: unknown[] = [];
  constructor(readonly dialect: SqlDialect) {}
  param(value: unknown): string {
    this.params.push(typeof value === 'boolean' ? (value ? 1 : 0) : value);
    return this.dialect.placeholder(this.params.length);
  }
}

const NUMERIC = `IN ('integer', 'real')`;

function equalsSql(b: Builder, type: string, value: string, x: Scalar): string {
  if (typeof x === 'boolean') return `(${type} = '${x ? 'true' : 'false'}')`;
  if (typeof x === 'number') return `(${type} ${NUMERIC} AND ${value} = ${b.param(x)})`;
  return `(${type} = 'text' AND ${value} = ${b.param(x)})`;
}

/** A value to compare: an SQL expression for its JSON type name and one for the value itself. */
interface ValueSql {
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
function daysSinceLastOrderSql(b: Builder, now: number): ValueSql {
  const last = jsonValueSql(b, 'p.state', ['computed', 'lastOrderAt']);
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
  const parts = [`e.name = ${b.param(m.event)}`];
  for (const f of m.where) parts.push(filterSql(b, f));
  if (m.window.kind === 'last') parts.push(`e.timestamp >= ${b.param(now - windowMs(m.window))}`);
  if (m.window.kind === 'between') {
    parts.push(
      `e.timestamp BETWEEN ${b.param(toDateMs(m.window.from))} AND ${b.param(toDateMs(m.window.to))}`,
    );
  }
  return parts.join(' AND ');
}

function filterSql(b: Builder, f: PropertyFilter): string {
  return compareSql(b, 'e.body', ['properties', ...f.property.split('.')], f, 0);
}

function conditionSql(b: Builder, c: Condition, now: number, columns: Map<string, number>): string {
  switch (c.type) {
    case 'and':
    case 'or':
      return `(${c.conditions.map((x) => conditionSql(b, x, now, columns)).join(c.type === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${conditionSql(b, c.condition, now, columns)})`;
    case 'trait':
      return compareSql(b, 'p.state', ['traits', ...c.trait.split('.')], c, now);
    case 'computed':
      if (c.trait === 'daysSinceLastOrder') return compareValueSql(b, daysSinceLastOrderSql(b, now), c, now);
      return compareSql(
        b,
        'p.state',
        c.trait === 'lastChannel' ? ['lastChannel'] : ['computed', c.trait],
        c,
        now,
      );
    case 'event': {
      const i = columns.get(matcherOf(c).key)!;
      const { measure, compare } = eventTest(c);
      const expr =
        measure.of === 'count'
          ? `COALESCE(a${i}.c${i}, 0)`
          : measure.of === 'sum'
            ? `COALESCE(a${i}.s${i}, 0)`
            : `(CASE WHEN a${i}.n${i} > 0 THEN a${i}.s${i} * 1.0 / a${i}.n${i} END)`;
      return compareNumberSql(b, expr, compare);
    }
    case 'event_time': {
      const i = columns.get(matcherOf(c).key)!;
      const within = `COALESCE(a${i}.${c.which === 'first' ? 'f' : 'l'}${i} >= ${b.param(now - c.days * DAY)}, 0)`;
      return c.op === 'within_last_days' ? within : `(NOT ${within})`;
    }
    case 'segment': {
      const member = `EXISTS (SELECT 1 FROM segment_members sm WHERE sm.segment_id = ${b.param(c.segmentId)} AND sm.profile_id = p.id)`;
      return c.member ? member : `(NOT ${member})`;
    }
    case 'random_bucket':
      return `(ork_bucket(p.id, ${b.param(c.salt)}) BETWEEN ${b.param(c.from)} AND ${b.param(c.to - 1)})`;
    case 'reachable':
      // Only the fields reachability reads, as JSON (`->` keeps their JSON types), not the whole state.
      return `COALESCE(ork_reachable(json_object('email', p.state -> '$.traits.email', 'phone', p.state -> '$.traits.phone'), p.state -> '$.pushTokens', p.state -> '$.subscriptions', ${b.param(c.channel)}, ${b.param(c.topic ?? null)}), 0)`;
  }
}

/**
 * The figures of one matcher per profile: a grouped pass over that event name's rows only. With the
 * `events_track_name` index (name, profile_id, timestamp) the rows arrive grouped by profile, and
 * counts, windows and first/last times are read from the index alone; only property filters and
 * sums read the event bodies.
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
  const where = conditionSql(b, condition, options.now, columns);
  return {
    sql: `SELECT p.id AS profile_id FROM profiles p ${joins.join(' ')} WHERE p.merged_into IS NULL AND p.state IS NOT NULL AND ${where}`,
    params: b.params,
  };
}
