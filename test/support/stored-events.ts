import assert from 'node:assert/strict';
import Database from 'better-sqlite3';

/**
 * How many rows of the `events` table hold each `messageId`, read through a separate read-only
 * connection (WAL lets it read beside a running server), so the count does not go through the code
 * under test.
 */
export function countStoredMessageIds(dbPath: string): Map<string, number> {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare(`SELECT message_id AS id, count(*) AS n FROM events GROUP BY message_id`)
      .all() as {
      id: string;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  } finally {
    db.close();
  }
}

const sample = (ids: readonly string[]): string =>
  ids.slice(0, 5).join(', ') + (ids.length > 5 ? `, … (${ids.length} in all)` : '');

/**
 * Fails, naming the culprits, unless every id in `expected` is stored exactly once and no id at all is
 * stored twice.
 */
export function assertStoredExactlyOnce(
  counts: ReadonlyMap<string, number>,
  expected: Iterable<string>,
  options: { readonly what?: string; readonly note?: string } = {},
): void {
  const what = options.what ?? 'acknowledged messages';
  const lost: string[] = [];
  for (const id of expected) if ((counts.get(id) ?? 0) === 0) lost.push(id);
  const doubled = [...counts].filter(([, n]) => n > 1).map(([id, n]) => `${id} ×${n}`);
  const problems = [
    lost.length > 0 ? `${lost.length} ${what} LOST (not in events): ${sample(lost)}` : '',
    doubled.length > 0 ? `${doubled.length} messageIds stored MORE THAN ONCE: ${sample(doubled)}` : '',
  ].filter(Boolean);
  if (problems.length > 0) assert.fail([...problems, options.note ?? ''].filter(Boolean).join('\n'));
}
