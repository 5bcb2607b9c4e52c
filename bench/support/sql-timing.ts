/**
 * A preload for the server child (`node --import ./bench/support/sql-timing.ts …`) that times every
 * better-sqlite3 statement by its SQL text, and writes the totals as JSON to the file named by
 * `ORKESTRA_BENCH_SQL_TIMING` when the process exits. It answers "which statement does the time go
 * to" without touching `src/`. `COMMIT` is timed too: it holds the WAL write, the fsync and, now and
 * then, the automatic checkpoint.
 */
import Database from 'better-sqlite3';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface StatementTime {
  readonly sql: string;
  readonly calls: number;
  readonly ms: number;
  readonly maxMs: number;
}

const output = process.env.ORKESTRA_BENCH_SQL_TIMING;
const totals = new Map<string, { calls: number; ms: number; maxMs: number }>();
type Method = (this: Database.Statement, ...args: unknown[]) => unknown;

if (output) {
  const probe = new Database(':memory:');
  const statementProto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, Method>;
  probe.close();
  for (const name of ['run', 'get', 'all', 'iterate']) {
    const original = statementProto[name]!;
    statementProto[name] = function timed(this: Database.Statement, ...args: unknown[]) {
      const started = performance.now();
      try {
        return original.apply(this, args);
      } finally {
        const ms = performance.now() - started;
        const sql = this.source.replace(/\s+/g, ' ').trim();
        const entry = totals.get(sql) ?? { calls: 0, ms: 0, maxMs: 0 };
        entry.calls++;
        entry.ms += ms;
        entry.maxMs = Math.max(entry.maxMs, ms);
        totals.set(sql, entry);
      }
    };
  }
  process.once('exit', () => {
    const rows: StatementTime[] = [...totals].map(([sql, t]) => ({ sql, ...t })).sort((a, b) => b.ms - a.ms);
    mkdirSync(dirname(output), { recursive: true });
    writeFileSync(output, JSON.stringify(rows, null, 2));
  });
}
