import type Database from 'better-sqlite3';
import { matchersOf, type Matcher } from '../../core/segments/aggregates.js';
import { sqlLiteral } from '../../core/segments/compile-batch-sql.js';
import { sqliteDialect } from '../../core/segments/compile-sql.js';
import type { SegmentDefinition } from '../../core/segments/definition.js';
import { hashString } from '../../core/random.js';

const PREFIX = 'ork_events_props_';
/**
 * Entries keyed in arrival order (seq) after the name, as `events_track_seq` is, so that a new event's
 * entry goes into the last leaf rather than a random one; queries group by profile with a sort.
 */
const LAYOUT = 'seq';

/** A covering index of the properties segments read from one event's bodies. */
export interface EventPropertyIndex {
  readonly name: string;
  readonly event: string;
  readonly sql: string;
}

const pathsOf = (m: Matcher): string[] => [
  ...m.where.map((f) => f.property),
  ...(m.property !== undefined ? [m.property] : []),
];

/**
 * The indexes a set of segments wants: per event name whose property filters or sums they use, one
 * partial index holding the JSON type and value of each property beside (name, seq, profile, time). The
 * expressions are those the compiled SQL uses (`compile-sql.ts`), so SQLite reads them from the index
 * instead of fetching and parsing each event body, at random, from the events table.
 */
export function eventPropertyIndexes(definitions: readonly SegmentDefinition[]): EventPropertyIndex[] {
  const matchers = new Map<string, Matcher>();
  for (const d of definitions) matchersOf(d.condition, matchers);
  const byEvent = new Map<string, Set<string>>();
  for (const m of matchers.values()) {
    for (const p of pathsOf(m)) {
      let paths = byEvent.get(m.event);
      if (paths === undefined) byEvent.set(m.event, (paths = new Set()));
      paths.add(p);
    }
  }
  return [...byEvent].map(([event, set]) => {
    const paths = [...set].sort();
    // The layout is part of the hash, so that an index of an earlier layout is replaced.
    const name = `${PREFIX}${hashString(JSON.stringify([LAYOUT, event, paths])).toString(36)}`;
    const columns = paths.flatMap((p) => {
      const path = ['properties', ...p.split('.')];
      return [sqliteDialect.jsonType('body', path), sqliteDialect.jsonValue('body', path)];
    });
    const sql = `CREATE INDEX IF NOT EXISTS ${name} ON events (name, seq, profile_id, timestamp, ${columns.join(', ')}) WHERE type = 'track' AND name = ${sqlLiteral(event)}`;
    return { name, event, sql };
  });
}

/**
 * Creates the indexes these segments want and drops those no segment wants any longer. Building one
 * reads the bodies of its event once; run it where writers wait anyway (a recompute).
 * @example const byEvent = syncEventPropertyIndexes(db, definitions); // Map { 'Order Completed' => 'ork_events_props_…' }
 */
export function syncEventPropertyIndexes(
  db: Database.Database,
  definitions: readonly SegmentDefinition[],
): Map<string, string> {
  const wanted = eventPropertyIndexes(definitions);
  const names = new Set(wanted.map((w) => w.name));
  const existing = db
    .prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name GLOB '${PREFIX}*'`)
    .pluck()
    .all() as string[];
  for (const name of existing) if (!names.has(name)) db.exec(`DROP INDEX IF EXISTS ${name}`);
  for (const w of wanted) db.exec(w.sql);
  return new Map(wanted.map((w) => [w.event, w.name]));
}
