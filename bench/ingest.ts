/**
 * Ingest benchmark: how fast Orkestra durably acknowledges Segment messages, beside a bare Fastify
 * server measured in the same run (see `support/baseline-server.ts`).
 *
 *   (a) /v1/batch, 100 track messages per request: events/s acknowledged (goal ≥ 50,000);
 *   (b) /v1/track, one message per request: max req/s (goal ≥ 0.5 × baseline), and p50/p99
 *       acknowledgement latency at 2,000 req/s: autocannon's `overallRate`, and a paced open loop.
 *
 * Both servers are child processes; the load is generated here. Orkestra runs as shipped
 * (`bin/orkestra.js serve`: synchronous=FULL, dedupe on, its profile engine working beside it in its
 * worker thread); between its runs we wait for the engine to empty the inbox, so every run starts
 * alike. Runs of the two servers alternate, and each figure is the median of `--runs` runs. A batch
 * run's request bodies are made before it starts (see `load`); the load generator's CPU is printed.
 *
 *   node --import tsx bench/ingest.ts [--runs 3] [--seconds 5] [--warmup 3] [--rate 2000]
 *     [--only batch|single|fixedRate|paced] [--profile <dir>]   (CPU + SQL profile of Orkestra)
 *     [--connections 100]   (of the single-request scenario; both servers alike)
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom, type Random } from '../src/core/random.js';
import { formatServerProfile } from './support/server-profile.js';
import { runAutocannon, runPaced, type LoadOptions, type LoadResult } from './support/load.js';
import {
  createLog,
  formatNumber,
  formatTable,
  median,
  writeResults,
  type GoalCheck,
} from './support/report.js';
import { startBaseline, startOrkestra, type ServerProcess } from './support/server-process.js';
import {
  createMessagePool,
  createWebDevice,
  type ShopAction,
  type WebDevice,
} from './support/shop-messages.js';

const { values: flags } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    warmup: { type: 'string', default: '3' },
    rate: { type: 'string', default: '2000' },
    connections: { type: 'string', default: '100' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});
/** A numeric flag's value; anything but a positive number stops the run, naming the flag. */
function positive(name: 'runs' | 'seconds' | 'warmup' | 'rate' | 'connections'): number {
  const value = Number(flags[name]);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, not ${flags[name]}`);
  return value;
}
const RUNS = positive('runs');
const SECONDS = positive('seconds');
const WARMUP_SECONDS = positive('warmup');
const RATE = positive('rate');
const SINGLE_CONNECTIONS = positive('connections');
const BATCH_SIZE = 100;
const WRITE_KEY = 'wk_bench_ingest';
const HEADERS = {
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
};
const log = createLog();

/** Track messages as a shop's browsers send them; every call gets a new `messageId`. */
function createTrackSource(seed: number) {
  const rng = createRandom(seed);
  const pool = createMessagePool(createRandom(seed + 1));
  const actions: readonly ShopAction[] = [
    'Product Viewed',
    'Product Viewed',
    'Product Viewed',
    'Products Searched',
    'Product Added',
    'Checkout Started',
    'Order Completed',
  ];
  const people: { device: WebDevice; userId?: string }[] = Array.from({ length: 10_000 }, (_, i) => ({
    device: createWebDevice(rng),
    ...(i % 2 === 0 ? { userId: `user-${i}` } : {}),
  }));
  const pickFrom = <T>(r: Random, items: readonly T[]): T => items[Math.floor(r.next() * items.length)]!;
  const track = (): string => {
    const person = pickFrom(rng, people);
    const ids = {
      // Random, as analytics.js and RudderStack's SDKs make them (what dedupe finds hardest).
      messageId: `ajs-next-${randomUUID()}`,
      device: person.device,
      userId: person.userId,
      timestamp: new Date().toISOString(),
    };
    return pool.render(rng, pickFrom(rng, actions), ids);
  };
  return {
    track,
    batch(size: number): string {
      const messages: string[] = [];
      for (let i = 0; i < size; i++) messages.push(track());
      return `{"batch":[${messages.join(',')}]}`;
    },
  };
}

type Scenario = {
  readonly key: 'batch' | 'single' | 'fixedRate' | 'paced';
  readonly title: string;
  readonly run: (server: ServerProcess, seconds: number) => Promise<LoadResult>;
};

const source = createTrackSource(7);
/** Batch requests a run may send at most, per second of it: bodies for this many are made before it starts. */
const BATCHES_MADE_AHEAD_PER_SECOND = 800;
/** Runs whose bodies ran out and were made during the run (their figures then include that work). */
const ranOut = new Map<string, number>();

/**
 * A batch run's bodies are made before it starts (a fresh `messageId` each): made during the run,
 * the 100 messages of each request took about a tenth of a core from the server on this machine's
 * two. Should a server answer more than was made (the bare baseline does), the rest is made as it
 * goes, counted in `ranOut`. Single messages are made as they are sent, for both servers alike: the
 * bare baseline is then bound by the load generator, and 150,000 bodies held in this process made
 * its collector, and so the baseline, a third slower.
 */
const load = (server: ServerProcess, path: '/v1/batch' | '/v1/track', seconds: number): LoadOptions => {
  const options = { server, path, seconds, headers: HEADERS };
  if (path === '/v1/track') return { ...options, body: source.track };
  const make = (): string => source.batch(BATCH_SIZE);
  const bodies = Array.from({ length: Math.ceil(BATCHES_MADE_AHEAD_PER_SECOND * seconds) }, make);
  let next = 0;
  return {
    ...options,
    body: () => {
      const body = bodies[next];
      if (body === undefined) {
        if (next++ === bodies.length) ranOut.set(server.label, (ranOut.get(server.label) ?? 0) + 1);
        return make();
      }
      bodies[next++] = '';
      return body;
    },
  };
};

const ALL_SCENARIOS: readonly Scenario[] = [
  {
    key: 'batch',
    title: `/v1/batch, ${BATCH_SIZE} events per request, 16 connections`,
    run: (server, seconds) => runAutocannon({ ...load(server, '/v1/batch', seconds), connections: 16 }),
  },
  {
    key: 'single',
    title: `/v1/track, 1 event per request, ${SINGLE_CONNECTIONS} connections, as fast as possible`,
    run: (server, seconds) =>
      runAutocannon({ ...load(server, '/v1/track', seconds), connections: SINGLE_CONNECTIONS }),
  },
  {
    key: 'fixedRate',
    title: `/v1/track at ${RATE} req/s (autocannon overallRate, 50 connections)`,
    run: (server, seconds) =>
      runAutocannon({ ...load(server, '/v1/track', seconds), connections: 50, overallRate: RATE }),
  },
  {
    key: 'paced',
    title: `/v1/track at ${RATE} req/s (paced open loop, latency from the due time)`,
    run: (server, seconds) => runPaced({ ...load(server, '/v1/track', seconds), rate: RATE }),
  },
];

const SCENARIOS = ALL_SCENARIOS.filter(
  (s) => flags.only === undefined || flags.only.split(',').includes(s.key),
);

/** Waits until Orkestra's engine has applied everything in the inbox; returns what it found and how long it took. */
async function drain(server: ServerProcess): Promise<{ backlog: number; seconds: number }> {
  const started = performance.now();
  let backlog = -1;
  for (;;) {
    const health = (await (await fetch(`${server.url}/health`)).json()) as { inboxDepth: number };
    if (backlog < 0) backlog = health.inboxDepth;
    if (health.inboxDepth === 0) return { backlog, seconds: (performance.now() - started) / 1000 };
    if (performance.now() - started > 300_000)
      throw new Error(`inbox not drained after 300 s (${health.inboxDepth} left)`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function describe(result: LoadResult, perRequest: number): string {
  const rate = `${formatNumber(result.okPerSecond * perRequest)} ${perRequest > 1 ? 'events' : 'req'}/s`;
  const latency = `p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms`;
  const failed = result.failed > 0 ? `, ${result.failed} FAILED` : '';
  return `${rate}, ${latency}, server CPU ${result.serverCpuPercent.toFixed(0)}%, load generator ${result.clientCpuPercent.toFixed(0)}%${failed}`;
}

interface Measured {
  readonly orkestra: LoadResult[];
  readonly baseline: LoadResult[];
  readonly drains: { backlog: number; seconds: number }[];
}

async function measure(servers: {
  orkestra: ServerProcess;
  baseline: ServerProcess;
}): Promise<Record<string, Measured>> {
  log(`warm-up: ${WARMUP_SECONDS} s of batch and ${WARMUP_SECONDS} s of single requests on each server`);
  for (const server of [servers.orkestra, servers.baseline]) {
    await ALL_SCENARIOS[0]!.run(server, WARMUP_SECONDS);
    await ALL_SCENARIOS[1]!.run(server, WARMUP_SECONDS);
  }
  await drain(servers.orkestra);
  const measured: Record<string, Measured> = {};
  for (const scenario of SCENARIOS) {
    log(`${scenario.title}: ${RUNS} × ${SECONDS} s per server`);
    const m: Measured = { orkestra: [], baseline: [], drains: [] };
    const perRequest = scenario.key === 'batch' ? BATCH_SIZE : 1;
    for (let i = 0; i < RUNS; i++) {
      // Alternate which server goes first, so that a slow spell of the machine hits both alike.
      const order = i % 2 === 0 ? (['orkestra', 'baseline'] as const) : (['baseline', 'orkestra'] as const);
      for (const name of order) {
        const result = await scenario.run(servers[name], SECONDS);
        m[name].push(result);
        log(`  run ${i + 1} ${name.padEnd(8)} ${describe(result, perRequest)}`);
        if (name === 'orkestra') {
          const drained = await drain(servers.orkestra);
          m.drains.push(drained);
          if (drained.backlog > 0) {
            log(
              `  engine applied a backlog of ${formatNumber(drained.backlog)} events in ${drained.seconds.toFixed(1)} s`,
            );
          }
        }
      }
    }
    measured[scenario.key] = m;
  }
  return measured;
}

function report(measured: Record<string, Measured>): { rows: string[][]; goals: GoalCheck[] } {
  const rows: string[][] = [];
  const goals: GoalCheck[] = [];
  /** Adds a row of medians for a measured scenario; returns [Orkestra, baseline]. */
  const row = (metric: string, key: string, pick: (r: LoadResult) => number, goal = ''): number[] => {
    const m = measured[key];
    if (!m) return [];
    const o = median(m.orkestra.map(pick));
    const b = median(m.baseline.map(pick));
    const digits = Math.abs(o) < 100 && Math.abs(b) < 100 ? 2 : 0;
    rows.push([metric, formatNumber(o, digits), formatNumber(b, digits), (o / b).toFixed(2), goal]);
    return [o, b];
  };
  const [batch] = row('batch: events/s acknowledged', 'batch', (r) => r.okPerSecond * BATCH_SIZE, '≥ 50,000');
  if (batch !== undefined) {
    goals.push({
      metric: 'batch ingest',
      value: batch,
      unit: 'events/s',
      goal: '≥ 50,000',
      met: batch >= 50_000,
    });
  }
  const [single, singleBase] = row('single: max req/s', 'single', (r) => r.okPerSecond, '≥ 0.50 × baseline');
  if (single !== undefined && singleBase !== undefined) {
    const ratio = single / singleBase;
    goals.push({
      metric: 'single-event throughput / baseline',
      value: ratio,
      unit: '×',
      goal: '≥ 0.5',
      met: ratio >= 0.5,
    });
  }
  row('single: p50 latency at max, ms', 'single', (r) => r.p50Ms);
  row('single: p99 latency at max, ms', 'single', (r) => r.p99Ms);
  for (const [key, label] of [
    ['fixedRate', 'autocannon'],
    ['paced', 'paced'],
  ] as const) {
    row(`${RATE}/s ${label}: achieved req/s`, key, (r) => r.okPerSecond);
    row(`${RATE}/s ${label}: p50 latency, ms`, key, (r) => r.p50Ms);
    row(`${RATE}/s ${label}: p99 latency, ms`, key, (r) => r.p99Ms);
  }
  // CPU per event does not depend on how much CPU the noisy machine left us: the steadiest comparison.
  const cpuPerEvent =
    (perRequest: number, main = false) =>
    (r: LoadResult) =>
      (1e6 * (main ? r.serverMainCpuPercent : r.serverCpuPercent)) / 100 / (r.okPerSecond * perRequest);
  row('batch: server CPU µs per event', 'batch', cpuPerEvent(BATCH_SIZE));
  row('single: server CPU µs per request', 'single', cpuPerEvent(1));
  // Of it, the main thread's: all of a bare server's, the HTTP side alone of Orkestra's.
  row('batch: main thread CPU µs per event', 'batch', cpuPerEvent(BATCH_SIZE, true));
  row('single: main thread CPU µs per request', 'single', cpuPerEvent(1, true));
  for (const scenario of SCENARIOS)
    row(`${scenario.key}: server CPU, % of a core`, scenario.key, (r) => r.serverCpuPercent);
  for (const scenario of SCENARIOS)
    row(`${scenario.key}: load generator CPU, % of a core`, scenario.key, (r) => r.clientCpuPercent);
  return { rows, goals };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-bench-ingest-'));
  const profileDir = flags.profile === undefined ? undefined : resolve(flags.profile);
  const environment = { cpus: cpus().length, node: process.version, loadAverageAtStart: loadavg() };
  const sample = source.track();
  console.log(
    `Ingest benchmark: Orkestra vs bare Fastify, ${RUNS} × ${SECONDS} s per figure (median), ` +
      `track messages of ~${Buffer.byteLength(sample)} bytes with random messageIds, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
  );
  log('starting Orkestra (bin/orkestra.js serve) and the Fastify baseline as child processes');
  const [orkestra, baseline] = await Promise.all([
    startOrkestra({
      dataDir,
      writeKey: WRITE_KEY,
      adminKey: 'ak_bench_ingest',
      profileDir,
    }),
    startBaseline(),
  ]);
  try {
    const measured = await measure({ orkestra, baseline });
    const { rows, goals } = report(measured);
    console.log(`\n${formatTable(['metric', 'Orkestra', 'baseline', 'ratio', 'goal'], rows)}\n`);
    for (const g of goals) {
      const value = formatNumber(g.value, g.unit === '×' ? 2 : 0);
      console.log(`${g.met ? 'MET   ' : 'MISSED'} ${g.metric}: ${value} ${g.unit} (goal ${g.goal})`);
    }
    for (const [run, times] of ranOut)
      console.log(
        `note: ${run}: ${times} batch run(s) used every body made ahead and made the rest as they went`,
      );
    const path = writeResults('ingest', {
      goals,
      table: { header: ['metric', 'orkestra', 'baseline', 'ratio', 'goal'], rows },
      config: {
        runs: RUNS,
        seconds: SECONDS,
        warmupSeconds: WARMUP_SECONDS,
        rate: RATE,
        singleConnections: SINGLE_CONNECTIONS,
        batchSize: BATCH_SIZE,
      },
      environment: { ...environment, loadAverageAtEnd: loadavg() },
      scenarios: Object.fromEntries(SCENARIOS.map((s) => [s.key, { title: s.title, ...measured[s.key] }])),
    });
    console.log(`results written to ${path}`);
  } finally {
    await Promise.all([orkestra.stop(), baseline.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (profileDir !== undefined) console.log(`\n${formatServerProfile(profileDir)}`);
}

await main();
