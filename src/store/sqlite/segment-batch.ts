import type Database from 'better-sqlite3';
import type { ProfileId } from '../../core/brand.js';
import {
  compileSegmentsSql,
  type BatchOptions,
  type ProfileRange,
} from '../../core/segments/compile-batch-sql.js';
import type { SegmentDefinition } from '../../core/segments/definition.js';

/**
 * Runs a compiled batch of segments on one connection: the per-event figure tables, then one scan of
 * the profiles. Members per definition, in the order given, each list in ascending id order.
 */
export function runSegmentBatch(
  db: Database.Database,
  definitions: readonly SegmentDefinition[],
  options: BatchOptions,
): ProfileId[][] {
  const { setup, select, cleanup } = compileSegmentsSql(definitions, options);
  const answers = definitions.map((): ProfileId[] => []);
  try {
    for (const s of setup) db.prepare(s.sql).run(...s.params);
    const rows = db
      .prepare(select.sql)
      .raw()
      .iterate(...select.params) as Iterable<unknown[]>;
    for (const row of rows) {
      for (let i = 0; i < answers.length; i++) if (row[i + 1] === 1) answers[i]!.push(row[0] as ProfileId);
    }
  } finally {
    for (const sql of cleanup) db.exec(sql);
  }
  return answers;
}

const PRINTABLE = /^[\x20-\x7e]+$/;
const BASE = 95n;

/**
 * Splits the ids between `min` and `max` into `parts` ranges of about equal width (ids as numbers in
 * base 95, printable ASCII), for ids that are spread evenly, as time-ordered ids are. The ranges cover
 * every id whatever the spread: the first and last are open. One open range when ids are not ASCII.
 * @example splitProfileRange('prf_0', 'prf_z', 2) // [{ to: 'prf_U' }, { from: 'prf_U' }]
 */
export function splitProfileRange(min: string, max: string, parts: number): ProfileRange[] {
  if (parts < 2 || !PRINTABLE.test(min) || !PRINTABLE.test(max) || min >= max) return [{}];
  const width = Math.max(min.length, max.length);
  const toNumber = (id: string): bigint =>
    [...id.padEnd(width, ' ')].reduce((n, ch) => n * BASE + BigInt(ch.charCodeAt(0) - 32), 0n);
  const toId = (n: bigint): string => {
    let out = '';
    for (let i = 0; i < width; i++, n /= BASE) out = String.fromCharCode(Number(n % BASE) + 32) + out;
    return out.trimEnd();
  };
  const low = toNumber(min);
  const span = toNumber(max) - low;
  const bounds = [
    ...new Set(
      Array.from({ length: parts - 1 }, (_, k) => toId(low + (span * BigInt(k + 1)) / BigInt(parts))),
    ),
  ]
    .filter((b) => b.length > 0)
    .sort();
  return bounds
    .map((to, k): ProfileRange => (k === 0 ? { to } : { from: bounds[k - 1]!, to }))
    .concat([bounds.length > 0 ? { from: bounds[bounds.length - 1]! } : {}]);
}
