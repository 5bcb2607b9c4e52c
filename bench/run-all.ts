/**
 * `npm run bench`: runs every benchmark in `bench/` in turn, each as a child process (so none shares a
 * heap or a warm cache with another), then prints one table of every goal from the results files they
 * wrote (`bench/results/<name>.json`) and writes it to `bench/results/summary.md`.
 *
 *   node --import tsx bench/run-all.ts [--quick] [--only ingest,pipeline] [--skip clv-fit]
 *
 * `--quick` asks each benchmark for its smaller sizes (the figures then do not answer the goals).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNumber, formatTable, RESULTS_DIR, type GoalCheck } from './support/report.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    skip: { type: 'string' },
  },
});
const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const SELF = basename(fileURLToPath(import.meta.url), '.ts');
/** The order they run in: cheap ones first, so a broken setup shows early. */
const ORDER = [
  'clv-fit',
  'dedupe',
  'dispatch',
  'engine',
  'ingest',
  'pipeline',
  'segments-realtime',
  'segments-recompute',
];
/** What `--quick` means to each benchmark (those not listed run as they are). */
const QUICK_ARGS: Readonly<Record<string, readonly string[]>> = {
  ingest: ['--runs', '1', '--seconds', '3', '--warmup', '1'],
  pipeline: ['--events', '100000', '--profiles', '10000'],
  'segments-realtime': ['--quick'],
  'segments-recompute': ['--quick', '--runs', '1'],
  'clv-fit': ['1'],
  dedupe: ['--preload', '100000', '--messages', '20000', '--runs', '1'],
  dispatch: ['--messages', '1000'],
  engine: ['--events', '10000', '--runs', '1'],
};

const list = (s: string | undefined) => new Set((s ?? '').split(',').filter(Boolean));
const only = list(flags.only);
const skip = list(flags.skip);
const found = readdirSync(BENCH_DIR)
  .filter((f) => f.endsWith('.ts') && statSync(join(BENCH_DIR, f)).isFile())
  .map((f) => basename(f, '.ts'))
  .filter((name) => name !== SELF);
const rank = (name: string) => (ORDER.includes(name) ? ORDER.indexOf(name) : ORDER.length);
const names = found
  .filter((n) => (only.size === 0 || only.has(n)) && !skip.has(n))
  .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));

console.log(
  `Running ${names.length} benchmarks${flags.quick ? ' (quick sizes)' : ''}: ${names.join(', ')}; ` +
    `${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}\n`,
);
const runs: { name: string; status: number | null; seconds: number; startedAt: number }[] = [];
for (const name of names) {
  const args = [
    '--import',
    'tsx',
    join(BENCH_DIR, `${name}.ts`),
    ...(flags.quick ? (QUICK_ARGS[name] ?? []) : []),
  ];
  console.log(`=== ${name}: node ${args.join(' ')}`);
  const startedAt = Date.now();
  const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: join(BENCH_DIR, '..') });
  const seconds = (Date.now() - startedAt) / 1000;
  runs.push({ name, status: result.status, seconds, startedAt });
  console.log(
    `=== ${name}: ${result.status === 0 ? 'done' : `FAILED (exit ${result.status})`} in ${seconds.toFixed(0)} s\n`,
  );
}

interface ResultsFile {
  readonly at: string;
  readonly goals: readonly GoalCheck[];
}
const rows: string[][] = [];
for (const run of runs) {
  const path = join(RESULTS_DIR, `${run.name}.json`);
  const file = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as ResultsFile) : undefined;
  // A results file older than this run is a previous run's: say so rather than report it as new.
  if (!file || Date.parse(file.at) < run.startedAt) {
    rows.push([
      run.name,
      run.status === 0 ? 'no results written' : `failed (exit ${run.status})`,
      '',
      '',
      'no',
    ]);
    continue;
  }
  for (const g of file.goals) {
    const digits = Math.abs(g.value) < 10 ? 2 : Math.abs(g.value) < 1000 ? 1 : 0;
    rows.push([g.metric, `${formatNumber(g.value, digits)} ${g.unit}`, g.goal, g.met ? 'yes' : 'NO', '']);
  }
}
const header = ['metric', 'value', 'goal', 'met'];
const table = formatTable(
  header,
  rows.map((r) => r.slice(0, 4)),
);
console.log(`Summary${flags.quick ? ' (quick sizes: not a verdict on the goals)' : ''}\n\n${table}\n`);
const markdown = [
  `# Benchmark summary`,
  '',
  `${new Date().toISOString()}, ${cpus().length} CPUs, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}${flags.quick ? ', **quick sizes** (not a verdict on the goals)' : ''}.`,
  '',
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.slice(0, 4).join(' | ')} |`),
  '',
  `Runs: ${runs.map((r) => `${r.name} ${r.seconds.toFixed(0)} s${r.status === 0 ? '' : ` (exit ${r.status})`}`).join(', ')}.`,
  '',
].join('\n');
writeFileSync(join(RESULTS_DIR, 'summary.md'), markdown);
console.log(`summary written to ${join(RESULTS_DIR, 'summary.md')}`);
process.exit(runs.every((r) => r.status === 0) ? 0 : 1);
