/**
 * Pipeline benchmark: 1,000,000 e-commerce events from 100,000 people (visitors, customers who sign
 * in, returning customers whose second browser merges into their profile) sent to Orkestra's
 * `/v1/batch`, and timed until the engine has applied every one of them to profiles.
 * Goal: ≥ 30,000 events/s end to end, peak RSS < 1 GB.
 *
 * Afterwards the store is opened read-only and checked: every event stored exactly once, and the
 * profiles of a sample of people hold exactly their script's events.
 *
 *   node --import tsx bench/pipeline.ts [--events 1000000] [--profiles 100000] [--connections 8]
 *     [--profile <dir>]   (CPU profiles of both threads and SQL statement times)
 *     [--keep]            (leaves the store behind, for `bench/support/wal-frames.ts` and the like)
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLog, formatNumber, formatTable, writeResults, type GoalCheck } from './support/report.js';
import { startOrkestra } from './support/server-process.js';
import { createShopTraffic, planPerson } from './support/shop-traffic.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '1000000' },
    profiles: { type: 'string', default: '100000' },
    connections: { type: 'string', default: '8' },
    batch: { type: 'string', default: '500' },
    profile: { type: 'string' },
    keep: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(flags.events);
const PROFILES = Number(flags.profiles);
const CONNECTIONS = Number(flags.connections);
const BATCH = Number(flags.batch);
const WRITE_KEY = 'wk_bench_pipeline';
const ADMIN_KEY = 'ak_bench_pipeline';
const SEED = 7;
const log = createLog();

const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-pipeline-'));
console.log(
  `Pipeline benchmark: ${formatNumber(EVENTS)} events from ${formatNumber(PROFILES)} people, ` +
    `/v1/batch of ${BATCH}, ${CONNECTIONS} connections, ${cpus().length} CPUs`,
);
const server = await startOrkestra({
  dataDir,
  writeKey: WRITE_KEY,
  adminKey: ADMIN_KEY,
  profileDir: flags.profile,
});
const headers = {
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
};
const traffic = createShopTraffic({ events: EVENTS, profiles: PROFILES, seed: SEED, activePeople: 5000 });
// Every request body is made before the clock starts: generated during the run, the traffic took a
// share of a core from a server that shares this machine's two with its load generator (printed:
// the load generator's CPU during the run).
const generating = performance.now();
const bodies: { body: string; count: number }[] = [];
for (let emitted = 0; ;) {
  const body = traffic.nextBatch(BATCH);
  if (body === undefined) break;
  bodies.push({ body, count: traffic.emitted - emitted });
  emitted = traffic.emitted;
}
log(
  `${formatNumber(bodies.length)} request bodies made in ${((performance.now() - generating) / 1000).toFixed(1)} s (before the clock starts)`,
);
let nextBody = 0;

let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, server.memory().peak)), 200);
const started = performance.now();
const cpuBefore = server.cpuSeconds();
const clientBefore = process.cpuUsage();
let acknowledged = 0;
let lastReport = started;

async function sender(): Promise<void> {
  for (;;) {
    const next = bodies[nextBody++];
    if (next === undefined) return;
    const { body, count } = next;
    for (let attempt = 0; ; attempt++) {
      const res = await fetch(`${server.url}/v1/batch`, { method: 'POST', headers, body });
      await res.arrayBuffer();
      if (res.status === 200) break;
      if (attempt > 5) throw new Error(`batch refused: ${res.status}`);
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
    acknowledged += count;
    if (performance.now() - lastReport > 5000) {
      lastReport = performance.now();
      const health = await health_();
      log(
        `  acknowledged ${formatNumber(acknowledged)}, processed seq ${formatNumber(health.processedSeq)}, ` +
          `inbox ${formatNumber(health.inboxDepth)}, RSS ${formatNumber(server.memory().rss / 2 ** 20)} MB`,
      );
    }
  }
}

async function health_(): Promise<{ inboxDepth: number; processedSeq: number }> {
  const res = await fetch(`${server.url}/health`);
  return (await res.json()) as { inboxDepth: number; processedSeq: number };
}

await Promise.all(Array.from({ length: CONNECTIONS }, () => sender()));
const ackSeconds = (performance.now() - started) / 1000;
log(
  `all ${formatNumber(acknowledged)} events acknowledged in ${ackSeconds.toFixed(1)} s; waiting for the engine`,
);
for (;;) {
  const h = await health_();
  if (h.inboxDepth === 0) break;
  await new Promise((r) => setTimeout(r, 50));
}
const seconds = (performance.now() - started) / 1000;
const cpu = server.cpuSeconds() - cpuBefore;
const client = process.cpuUsage(clientBefore);
const clientCpuPercent = ((client.user + client.system) / 1e4 / seconds).toFixed(0);
clearInterval(sampler);
peak = Math.max(peak, server.memory().peak);
await server.stop();

// Check what the engine made of it, straight from the store.
const db = new Database(join(dataDir, 'orkestra.db'), { readonly: true });
const events = db
  .prepare(`SELECT count(*) FROM events WHERE type != 'track' OR name NOT LIKE 'Segment %'`)
  .pluck()
  .get() as number;
const distinct = db.prepare(`SELECT count(DISTINCT message_id) FROM events`).pluck().get() as number;
const profiles = db
  .prepare(`SELECT count(*) FROM profiles WHERE merged_into IS NULL`)
  .pluck()
  .get() as number;
const owner = db.prepare(`SELECT profile_id FROM identities WHERE kind = ? AND value = ?`).pluck();
const countOf = db.prepare(`SELECT count(*) FROM events WHERE profile_id = ?`).pluck();
let sampleErrors = 0;
for (let i = 0; i < PROFILES; i += Math.max(1, Math.floor(PROFILES / 200))) {
  const plan = planPerson({ events: EVENTS, profiles: PROFILES, seed: SEED }, i);
  const key = plan.userId ? ['user_id', plan.userId] : ['anonymous_id', plan.steps[0]!.device.anonymousId];
  const pid = owner.get(...key) as string | undefined;
  if (pid === undefined || countOf.get(pid) !== plan.steps.length) sampleErrors++;
}
db.close();
if (flags.keep) console.log(`data directory kept: ${dataDir}`);
else rmSync(dataDir, { recursive: true, force: true });

const rate = EVENTS / seconds;
const goals: GoalCheck[] = [
  { metric: 'pipeline end to end', value: rate, unit: 'events/s', goal: '≥ 30,000', met: rate >= 30_000 },
  { metric: 'pipeline peak RSS', value: peak / 2 ** 20, unit: 'MB', goal: '< 1,024', met: peak < 2 ** 30 },
  {
    metric: 'pipeline correctness',
    value: sampleErrors,
    unit: 'wrong profiles in the sample',
    goal: '0, every event once',
    met: sampleErrors === 0 && events === EVENTS && distinct === EVENTS,
  },
];
const rows = [
  ['events/s, ingest to profiles', formatNumber(rate), '≥ 30,000'],
  ['events/s acknowledged', formatNumber(EVENTS / ackSeconds), ''],
  ['seconds, end to end', seconds.toFixed(1), ''],
  ['server CPU µs per event', formatNumber((cpu * 1e6) / EVENTS), ''],
  ['load generator CPU, % of a core', clientCpuPercent, ''],
  ['peak RSS, MB', formatNumber(peak / 2 ** 20), '< 1,024'],
  [
    'events stored / distinct message ids',
    `${formatNumber(events)} / ${formatNumber(distinct)}`,
    formatNumber(EVENTS),
  ],
  ['profiles', formatNumber(profiles), ''],
  ['sampled people with a wrong profile', String(sampleErrors), '0'],
];
console.log(`\n${formatTable(['metric', 'Orkestra', 'goal'], rows)}\n`);
for (const g of goals)
  if (!g.met) console.log(`MISSED ${g.metric}: ${formatNumber(g.value)} ${g.unit} (goal ${g.goal})`);
const path = writeResults('pipeline', {
  goals,
  table: { header: ['metric', 'orkestra', 'goal'], rows },
  config: { events: EVENTS, profiles: PROFILES, connections: CONNECTIONS, batch: BATCH, seed: SEED },
  environment: { cpus: cpus().length, node: process.version },
});
console.log(`results written to ${path}`);
