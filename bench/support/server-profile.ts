/**
 * Reads what a profiled server child leaves behind (see `startOrkestra({ profileDir })`) and prints
 * where the time went: from `node --cpu-prof`, self time per function (what to optimise) and total time
 * with callees (which path to look at); from `sql-timing.ts`, time per SQL statement.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber, formatTable } from './report.js';
import type { StatementTime } from './sql-timing.js';

/** Name of the SQL timing file inside a profile directory. */
export const SQL_TIMING_FILE = 'sql-timing.json';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface FunctionTime {
  readonly name: string;
  readonly selfMs: number;
  readonly totalMs: number;
}

const keyOf = (node: ProfileNode): string => {
  const file = node.callFrame.url
    .replace(/^file:\/\//, '')
    .split('/')
    .slice(-2)
    .join('/');
  return `${node.callFrame.functionName || '(anonymous)'} ${file}`.trim();
};

/** Self and total (inclusive) milliseconds per function, busiest first; recursion is counted once. */
export function functionTimes(profile: CpuProfile): {
  readonly times: FunctionTime[];
  readonly wallMs: number;
} {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const root = profile.nodes[0]!;
  // `onPath` holds the functions above this node: a recursive function's time is counted once.
  const walk = (node: ProfileNode, onPath: ReadonlySet<string>): number => {
    let subtree = selfUs.get(node.id) ?? 0;
    const key = keyOf(node);
    const path = onPath.has(key) ? onPath : new Set([...onPath, key]);
    for (const child of node.children ?? []) subtree += walk(byId.get(child)!, path);
    self.set(key, (self.get(key) ?? 0) + (selfUs.get(node.id) ?? 0));
    if (!onPath.has(key)) total.set(key, (total.get(key) ?? 0) + subtree);
    return subtree;
  };
  walk(root, new Set());
  const times = [...self.keys()].map((name) => ({
    name,
    selfMs: (self.get(name) ?? 0) / 1000,
    totalMs: (total.get(name) ?? 0) / 1000,
  }));
  return { times, wallMs: (profile.endTime - profile.startTime) / 1000 };
}

/** The main thread's profile in `dir`: the busiest one (tsx's loader thread writes one too). */
export function readMainProfile(dir: string): CpuProfile | undefined {
  const busyMs = (p: CpuProfile): number => {
    const { times, wallMs } = functionTimes(p);
    return wallMs - (times.find((t) => t.name.startsWith('(idle)'))?.selfMs ?? 0);
  };
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile)
    .map((p) => ({ p, busy: busyMs(p) }))
    .sort((a, b) => b.busy - a.busy)[0]?.p;
}

/** A printable summary: the top `n` functions by self time and by total time. */
export function formatProfile(profile: CpuProfile, n = 25): string {
  const { times, wallMs } = functionTimes(profile);
  const idle = times.find((t) => t.name.startsWith('(idle)'))?.selfMs ?? 0;
  const busy = wallMs - idle;
  const pct = (ms: number): string => `${((100 * ms) / busy).toFixed(1)}%`;
  const rows = (sorted: FunctionTime[], pick: (t: FunctionTime) => number): string[][] =>
    sorted
      .filter((t) => !t.name.startsWith('(idle)') && !t.name.startsWith('(root)'))
      .slice(0, n)
      .map((t) => [t.name.slice(0, 90), pick(t).toFixed(0), pct(pick(t))]);
  return [
    `profile: ${(wallMs / 1000).toFixed(1)} s wall, ${(busy / 1000).toFixed(1)} s busy (percentages are of busy time)`,
    '',
    formatTable(
      ['function (self time)', 'ms', '%'],
      rows(
        [...times].sort((a, b) => b.selfMs - a.selfMs),
        (t) => t.selfMs,
      ),
    ),
    '',
    formatTable(
      ['function (total time, with callees)', 'ms', '%'],
      rows(
        [...times].sort((a, b) => b.totalMs - a.totalMs),
        (t) => t.totalMs,
      ),
    ),
  ].join('\n');
}

/** Time per SQL statement, busiest first, as a table; undefined when no timing was written. */
export function formatSqlTiming(dir: string, n = 20): string | undefined {
  const path = join(dir, SQL_TIMING_FILE);
  if (!existsSync(path)) return undefined;
  const rows = JSON.parse(readFileSync(path, 'utf8')) as StatementTime[];
  const total = rows.reduce((s, r) => s + r.ms, 0);
  return formatTable(
    ['SQL statement', 'calls', 'ms', 'µs/call', '% of SQL'],
    rows
      .slice(0, n)
      .map((r) => [
        r.sql.slice(0, 100),
        formatNumber(r.calls),
        formatNumber(r.ms),
        ((1000 * r.ms) / r.calls).toFixed(1),
        `${((100 * r.ms) / total).toFixed(1)}%`,
      ]),
  );
}

/** Both summaries of a profile directory, for printing at the end of a benchmark. */
export function formatServerProfile(dir: string): string {
  const profile = readMainProfile(dir);
  const sql = formatSqlTiming(dir);
  return [
    `Orkestra server profile (${dir}):`,
    profile ? formatProfile(profile) : 'no CPU profile was written',
    ...(sql ? ['', sql] : []),
  ].join('\n');
}
