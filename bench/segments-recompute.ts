/**
 * Batch segment benchmark: a full recompute (the periodic reconciliation) of the 20 segments of
 * `support/bench-segments.ts` over 1,000,000 profiles and 10,000,000 events, through
 * `SegmentService.recompute` as production runs it (the segments compiled to SQL together, evaluated
 * over the whole population in shared passes, each answer diffed with the stored members and any
 * difference applied). Printed
 * beside the time of a plain `SELECT count(*) FROM events` in the same run. Goal: < 60 s.
 *
 * The store is generated once through the engine's write path (see `support/segment-store.ts`) and
 * cached in the temp dir. Segments are evaluated at the generated history's "now", so a recompute
 * finds nothing to change when the SQL evaluator agrees with the real-time one: the entered/exited
 * counts double as a check of the two evaluators on a million profiles.
 *
 *   node --import tsx bench/segments-recompute.ts [--profiles 1000000] [--events 10000000]
 *     [--runs 3] [--quick] [--explain]
 */
import Database from 'better-sqlite3';
import { cpus, loadavg } from 'node:os';
import { statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { ProfileId } from '../src/core/brand.js';
import { compileSegmentsSql } from '../src/core/segments/compile-batch-sql.js';
import { ProfileEngine } from '../src/engine/profile-engine.js';
import { SegmentService, type RecomputeResult } from '../src/engine/segment-service.js';
import { registerSegmentFunctions } from '../src/store/sqlite/sqlite-functions.js';
import { eventPropertyIndexes } from '../src/store/sqlite/sqlite-segment-indexes.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { BENCH_SEGMENTS } from './support/bench-segments.js';
import {
  createLog,
  formatNumber,
  formatTable,
  median,
  writeResults,
  type GoalCheck,
} from './support/report.js';
import { ensureSegmentStore, GENERATED_AT } from './support/segment-store.js';

const { values: flags } = parseArgs({
  options: {
    profiles: { type: 'string' },
    events: { type: 'string' },
    runs: { type: 'string', default: '3' },
    seed: { type: 'string', default: '11' },
    quick: { type: 'boolean', default: false },
    explain: { type: 'boolean', default: false },
  },
});
const PROFILES = Number(flags.profiles ?? (flags.quick ? 100_000 : 1_000_000));
const EVENTS = Number(flags.events ?? (flags.quick ? 1_000_000 : 10_000_000));
const RUNS = Number(flags.runs);
const SEED = Number(flags.seed);
const GOAL_SECONDS = 60;
const log = createLog();

console.log(
  `Segment recompute benchmark: ${BENCH_SEGMENTS.length} segments over ${formatNumber(PROFILES)} profiles ` +
    `and ${formatNumber(EVENTS)} events, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
);
const generated = await ensureSegmentStore({
  profiles: PROFILES,
  events: EVENTS,
  seed: SEED,
  segments: BENCH_SEGMENTS,
  log,
});
log(
  generated.generated
    ? `generated ${generated.path} in ${generated.seconds.toFixed(1)} s`
    : `using the cached store ${generated.path}`,
);

// Opened first, so that the counts below see the store after any migration a new version brings.
const opening = performance.now();
const store = openSqliteStore({ path: generated.path });
log(`store opened in ${((performance.now() - opening) / 1000).toFixed(1)} s (pending migrations included)`);
// A second connection, as an operator's `sqlite3` shell would time the scan.
const raw = new Database(generated.path, { readonly: true });
registerSegmentFunctions(raw);
const countOf = (sql: string): number => raw.prepare(sql).pluck().get() as number;
const rows = {
  events: countOf(`SELECT count(*) FROM events`),
  internal: countOf(`SELECT count(*) FROM events WHERE type = 'track' AND name LIKE 'Segment %'`),
  profiles: countOf(`SELECT count(*) FROM profiles WHERE merged_into IS NULL`),
  bytes: statSync(generated.path).size,
};
log(
  `store: ${formatNumber(rows.profiles)} profiles, ${formatNumber(rows.events)} events ` +
    `(${formatNumber(rows.events - rows.internal)} sent, ${formatNumber(rows.internal)} Segment Entered/Exited), ` +
    `${formatNumber(rows.bytes / 2 ** 20)} MB`,
);
if (flags.explain) {
  // The plans of the full recompute's statements (its temporary tables exist only while it runs).
  const explainer = new Database(generated.path, { readonly: true });
  registerSegmentFunctions(explainer);
  const existing = new Set(
    explainer.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).pluck().all(),
  );
  const eventIndexes = new Map(
    eventPropertyIndexes(BENCH_SEGMENTS)
      .filter((i) => existing.has(i.name))
      .map((i) => [i.event, i.name]),
  );
  const { setup, select } = compileSegmentsSql(BENCH_SEGMENTS, { now: GENERATED_AT, eventIndexes });
  for (const s of setup.filter((x) => x.sql.startsWith('CREATE'))) explainer.exec(s.sql);
  for (const [i, s] of [...setup.filter((x) => x.sql.startsWith('INSERT')), select].entries()) {
    const plan = explainer
      .prepare(`EXPLAIN QUERY PLAN ${s.sql}`)
      .all(...s.params)
      .map((r) => `    ${(r as { detail: string }).detail}`);
    console.log(`  statement ${i + 1}: ${s.sql.slice(0, 120)}…\n${plan.join('\n')}`);
  }
  explainer.close();
}

function timeCount(): number {
  const started = performance.now();
  countOf(`SELECT count(*) FROM events`);
  return (performance.now() - started) / 1000;
}

const clock = () => GENERATED_AT;
const engine = new ProfileEngine({
  store,
  clock,
  mergeOnEmail: true,
  newProfileId: () => 'prf_unused' as ProfileId,
});
await engine.reloadSegments();
const service = new SegmentService({ store, engine, clock });

timeCount(); // warms the page cache, as the recompute's first query would be warmed by the ones before
const countSeconds: number[] = [];
const recomputeSeconds: number[] = [];
let last: RecomputeResult[] = [];
for (let run = 1; run <= RUNS; run++) {
  countSeconds.push(timeCount());
  log(`run ${run}/${RUNS}: SELECT count(*) FROM events in ${countSeconds.at(-1)!.toFixed(2)} s`);
  const started = performance.now();
  last = await service.recompute();
  log(`  shared evaluation of ${last.length} segments: ${formatNumber(last[0]?.sharedMs ?? 0)} ms`);
  for (const result of last) {
    log(
      `  ${result.segmentId.padEnd(24)} ${formatNumber(result.members).padStart(9)} members, ` +
        `+${result.entered} −${result.exited}, applied in ${formatNumber(result.ms)} ms`,
    );
  }
  recomputeSeconds.push((performance.now() - started) / 1000);
  log(`run ${run}/${RUNS}: recompute of ${last.length} segments in ${recomputeSeconds.at(-1)!.toFixed(1)} s`);
}
countSeconds.push(timeCount());
await store.close();
raw.close();

const recompute = median(recomputeSeconds);
const count = median(countSeconds);
const changed = last.reduce((n, r) => n + r.entered + r.exited, 0);
const goals: GoalCheck[] = [
  {
    metric: `recompute ${BENCH_SEGMENTS.length} segments, ${formatNumber(PROFILES)} profiles`,
    value: recompute,
    unit: 's',
    goal: `< ${GOAL_SECONDS}`,
    met: recompute < GOAL_SECONDS,
  },
];
const table = [
  ['full recompute, s (median)', recompute.toFixed(1), `< ${GOAL_SECONDS}`],
  ['SELECT count(*) FROM events, s (median)', count.toFixed(2), ''],
  ['recompute / count(*) scan', `${(recompute / count).toFixed(1)}×`, ''],
  ['memberships changed by the recompute', formatNumber(changed), '0 (evaluators agree)'],
  ['runs', String(RUNS), ''],
];
console.log(`\n${formatTable(['metric', 'value', 'goal'], table)}\n`);
console.log(
  formatTable(
    ['segment', 'members', 'entered', 'exited', 'ms'],
    last.map((r) => [
      r.segmentId,
      formatNumber(r.members),
      String(r.entered),
      String(r.exited),
      formatNumber(r.ms),
    ]),
  ),
);
for (const g of goals)
  if (!g.met) console.log(`MISSED ${g.metric}: ${g.value.toFixed(1)} ${g.unit} (goal ${g.goal})`);
const path = writeResults('segments-recompute', {
  goals,
  table: { header: ['metric', 'value', 'goal'], rows: table },
  segments: last,
  runs: { recomputeSeconds, countSeconds },
  store: { ...rows, generatedSeconds: generated.generated ? generated.seconds : null },
  config: {
    profiles: PROFILES,
    events: EVENTS,
    seed: SEED,
    evaluatedAt: new Date(GENERATED_AT).toISOString(),
  },
  environment: { cpus: cpus().length, node: process.version, load: loadavg() },
});
console.log(`results written to ${path}`);
