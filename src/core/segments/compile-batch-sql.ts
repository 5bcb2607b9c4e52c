import { matchersOf, type Matcher } from './aggregates.js';
import {
  Builder,
  conditionSql,
  eventTermsSql,
  NUMERIC,
  reachableSql,
  sqliteDialect,
  storedMember,
  type CompiledQuery,
  type ConditionScope,
  type Figure,
  type SqlDialect,
  type ValueSql,
} from './compile-sql.js';
import type { SegmentDefinition } from './definition.js';

/**
 * Every segment of a recompute as a few statements that share their scans: the events of each name
 * are read once for all the conditions on them, the profiles once for all the segments.
 */
export interface CompiledBatch {
  /** Run first, in order: one temporary table of per-profile figures per event name. */
  readonly setup: readonly CompiledQuery[];
  /** One row per profile: its id, then a 0/1 column per definition, in the order given. */
  readonly select: CompiledQuery;
  /** Drops the temporary tables. */
  readonly cleanup: readonly string[];
}

const TABLE = 'ork_segment_figures_';

/** An SQL string literal (a quote is doubled; SQL has no backslash escapes). */
export const sqlLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;

export interface BatchOptions {
  readonly now: number;
  readonly dialect?: SqlDialect;
  /** Per event name, an index holding the properties its conditions read (see `sqlite-segment-indexes.ts`). */
  readonly eventIndexes?: ReadonlyMap<string, string>;
  /** Only the profiles with an id in [from, to), so that parts of the population can run in parallel. */
  readonly range?: ProfileRange;
}

/** A slice of the population by profile id: from (inclusive) to (exclusive); open when absent. */
export interface ProfileRange {
  readonly from?: string;
  readonly to?: string;
}

/** The terms that keep a query to a range of profile ids, on a column holding the id. */
function rangeSql(b: Builder, column: string, range: ProfileRange | undefined): string {
  const from = range?.from !== undefined ? ` AND ${column} >= ${b.param(range.from)}` : '';
  return from + (range?.to !== undefined ? ` AND ${column} < ${b.param(range.to)}` : '');
}

/** Where each matcher's figures live: the table of its event name and its column number. */
interface Placement {
  readonly table: number;
  readonly column: number;
}

/** The aggregates of one matcher, each restricted to the matcher's events by a FILTER clause. */
function figuresSql(b: Builder, m: Matcher, i: number, now: number): string[] {
  const filter = (): string => {
    const terms = eventTermsSql(b, m, now);
    return terms.length === 0 ? '' : ` FILTER (WHERE ${terms.join(' AND ')})`;
  };
  const cols = [
    `count(*)${filter()} AS c${i}`,
    `min(e.timestamp)${filter()} AS f${i}`,
    `max(e.timestamp)${filter()} AS l${i}`,
  ];
  if (m.property !== undefined) {
    const path = ['properties', ...m.property.split('.')];
    const num = `CASE WHEN ${b.dialect.jsonType('e.body', path)} ${NUMERIC} THEN ${b.dialect.jsonValue('e.body', path)} END`;
    cols.push(`total(${num})${filter()} AS s${i}`, `count(${num})${filter()} AS n${i}`);
  }
  return cols;
}

/**
 * One grouped pass over an event name's rows, read from an index in arrival order (`events_track_seq`,
 * or the name's property index) and grouped by profile with a sort.
 */
function figuresTableSql(
  dialect: SqlDialect,
  table: string,
  matchers: readonly (readonly [Matcher, number])[],
  options: BatchOptions,
): CompiledQuery[] {
  const b = new Builder(dialect);
  const cols = matchers.flatMap(([m, i]) => figuresSql(b, m, i, options.now));
  const names = cols.map((c) => c.slice(c.lastIndexOf(' AS ') + 4));
  const suffix = dialect.name === 'sqlite' ? ' WITHOUT ROWID' : '';
  const name = matchers[0]![0].event;
  const index = options.eventIndexes?.get(name);
  // A partial index on one event name is usable only when the query names it as a literal.
  const from = index === undefined ? 'events e' : `events e INDEXED BY ${index}`;
  const event = index === undefined ? b.param(name) : sqlLiteral(name);
  const range = rangeSql(b, 'e.profile_id', options.range);
  return [
    { sql: `DROP TABLE IF EXISTS ${table}`, params: [] },
    {
      sql: `CREATE TEMP TABLE ${table} (profile_id TEXT PRIMARY KEY, ${names.join(', ')})${suffix}`,
      params: [],
    },
    {
      sql: `INSERT INTO ${table} SELECT e.profile_id, ${cols.join(', ')} FROM ${from} WHERE e.type = 'track' AND e.name = ${event}${range} GROUP BY e.profile_id`,
      params: b.params,
    },
  ];
}

/**
 * Compiles the segments of a full recompute at time `now`. A `segment` condition on another segment of
 * the batch is that segment's own condition, evaluated on the same row: a recompute applies segments in
 * dependency order, so it is exactly the membership the referring segment would read once applied.
 * Definitions must not refer to each other in a cycle (see `prepareSegments`).
 * @example const { setup, select, cleanup } = compileSegmentsSql(definitions, { now });
 */
export function compileSegmentsSql(
  definitions: readonly SegmentDefinition[],
  options: BatchOptions,
): CompiledBatch {
  const dialect = options.dialect ?? sqliteDialect;
  const matchers = new Map<string, Matcher>();
  for (const d of definitions) matchersOf(d.condition, matchers);
  const byEvent = new Map<string, [Matcher, number][]>();
  const placed = new Map<string, Placement>();
  [...matchers.values()].forEach((m, column) => {
    let group = byEvent.get(m.event);
    if (group === undefined) byEvent.set(m.event, (group = []));
    group.push([m, column]);
  });
  const groups = [...byEvent.values()];
  groups.forEach((group, table) => group.forEach(([m, column]) => placed.set(m.key, { table, column })));
  const setup = groups.flatMap((group, t) => figuresTableSql(dialect, `${TABLE}${t}`, group, options));

  const b = new Builder(dialect);
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const inlining = new Set<string>();
  const values = new Map<string, readonly string[]>();
  const reachable = new Map<string, readonly [string, string | undefined]>();
  const scope: ConditionScope = {
    now: options.now,
    value: (path): ValueSql => {
      const key = JSON.stringify(path);
      if (!values.has(key)) values.set(key, path);
      const k = [...values.keys()].indexOf(key);
      return { type: `p.t${k}`, value: `p.v${k}` };
    },
    reachable: (_, channel, topic) => {
      const key = JSON.stringify([channel, topic ?? null]);
      if (!reachable.has(key)) reachable.set(key, [channel, topic]);
      return `p.r${[...reachable.keys()].indexOf(key)}`;
    },
    figure: (key, which: Figure) => {
      const { table, column } = placed.get(key)!;
      return `g${table}.${which}${column}`;
    },
    member: (builder, segmentId) => {
      const target = byId.get(segmentId);
      if (target === undefined) return storedMember(builder, segmentId);
      if (inlining.has(segmentId)) throw new Error(`segments refer to each other in a cycle: ${segmentId}`);
      inlining.add(segmentId);
      const sql = conditionSql(builder, target.condition, scope);
      inlining.delete(segmentId);
      return sql;
    },
  };
  const columns = definitions.map((d) => conditionSql(b, d.condition, scope));
  // What the conditions read of each profile's state, extracted once per profile (the LIMIT or OFFSET
  // keeps the planner from flattening the subquery, which would repeat each extraction where it is used).
  const extracted = [
    'p.id AS id',
    ...[...values.values()].flatMap((path, k) => {
      const v = b.dialect;
      return [`${v.jsonType('p.state', path)} AS t${k}`, `${v.jsonValue('p.state', path)} AS v${k}`];
    }),
    ...[...reachable.values()].map(([ch, topic], k) => `${reachableSql(b, ch, topic)} AS r${k}`),
  ];
  const profiles = `(SELECT ${extracted.join(', ')} FROM profiles p WHERE p.merged_into IS NULL AND p.state IS NOT NULL${rangeSql(b, 'p.id', options.range)} ${dialect.name === 'sqlite' ? 'LIMIT -1' : 'OFFSET 0'}) p`;
  const joins = groups.map((_, t) => `LEFT JOIN ${TABLE}${t} g${t} ON g${t}.profile_id = p.id`);
  const select = {
    sql: `SELECT p.id${columns.map((c) => `, ${c}`).join('')} FROM ${profiles} ${joins.join(' ')}`,
    params: b.params,
  };
  return { setup, select, cleanup: groups.map((_, t) => `DROP TABLE IF EXISTS ${TABLE}${t}`) };
}
