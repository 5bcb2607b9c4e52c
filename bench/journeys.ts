/**
 * Journey engine benchmarks (issue 4):
 *  1. durable step transitions per second on one core with N runs in flight (goal ≥ 5,000/s);
 *  2. run start latency through the API, p99 (goal < 50 ms);
 *  3. timer lateness with 1,000,000 pending timers coming due in bursts (goal p99 ≤ 1 s, none early).
 * Usage: node --import tsx bench/journeys.ts [--quick]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { asEpochMs, type EpochMs, type ProfileId } from '../src/core/brand.js';
import { defineJourney } from '../src/core/journeys/fixtures.js';
import { EMPTY_JOURNEY_WRITE } from '../src/core/journeys/journey-write.js';
import { SEND_POLICY_KEY } from '../src/core/journeys/send-policy.js';
import type { InboundMessage } from '../src/core/messages/inbound-message.js';
import { DEFAULT_CONFIG, startRuntime } from '../src/cli/runtime.js';
import { createProfileId } from '../src/engine/ids.js';
import { ProfileEngine } from '../src/engine/profile-engine.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { createLog, formatNumber, quantile, writeResults, type GoalCheck } from './support/report.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    /** Only the run start latency (the quickest way to measure a change to the API start path). */
    'starts-only': { type: 'boolean', default: false },
  },
});
const log = createLog();
const IN_FLIGHT = flags.quick ? 20_000 : 100_000;
const PENDING_TIMERS = flags.quick ? 200_000 : 1_000_000;
const BURSTS = flags.quick ? 5 : 10;
const BURST_SIZE = flags.quick ? 1_000 : 3_000;
const STARTS = flags.quick ? 200 : 1_000;
const NO_QUIET = JSON.stringify({
  capRules: [],
  quietHours: { default: { start: '00:00', end: '00:00' }, channels: {} },
});

/** entry → delay → send (log) → delay → exit: each timer firing is one durable transition with a send. */
const STEPS = defineJourney({
  id: 'bench',
  name: 'Bench',
  trigger: { type: 'event', event: 'Bench Start' },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'wait', type: 'delay', delay: { kind: 'date', source: 'trigger', path: 'at' } },
    { id: 'send', type: 'send', template: 't', channel: 'log', category: 'transactional' },
    { id: 'again', type: 'delay', delay: { kind: 'duration', duration: { amount: 1, unit: 'days' } } },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'send' },
    { from: 'send', to: 'again' },
    { from: 'again', to: 'done' },
  ],
});

const track = (n: number, at: number, now: number): InboundMessage => {
  const iso = new Date(now).toISOString();
  const properties = { at: new Date(at).toISOString() };
  return {
    type: 'track',
    userId: `b${n}`,
    event: 'Bench Start',
    properties,
    messageId: `b${n}`,
    timestamp: iso,
    receivedAt: iso,
  };
};

async function openBenchStore(dir: string): Promise<Store> {
  const store = openSqliteStore({ path: join(dir, 'orkestra.db'), synchronous: 'full' });
  await store.publishJourney(STEPS, { migrate: false, now: asEpochMs(Date.now()) });
  await store.setSetting(SEND_POLICY_KEY, NO_QUIET);
  await store.bumpJourneysRevision();
  return store;
}

/** Starts `count` runs, each waiting for its timer at `dueAt(i)`. */
async function seedRuns(
  store: Store,
  engine: ProfileEngine,
  count: number,
  now: number,
  dueAt: (i: number) => number,
) {
  for (let i = 0; i < count; i += 10_000) {
    const entries = Array.from({ length: Math.min(10_000, count - i) }, (_, k) => ({
      kind: 'message' as const,
      message: track(i + k, dueAt(i + k), now),
    }));
    await store.appendToInbox(entries, { now: asEpochMs(now), dedupeSince: asEpochMs(0) });
    await engine.drain();
  }
}

async function transitions(): Promise<{ perSecond: number; runs: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-bench-journeys-'));
  try {
    const store = await openBenchStore(dir);
    let now = Date.now();
    const engine = new ProfileEngine({
      store,
      clock: () => now as EpochMs,
      mergeOnEmail: false,
      newProfileId: () => createProfileId(),
      batchSize: 2000,
    });
    log(`seeding ${formatNumber(IN_FLIGHT)} runs in flight`);
    const due = now + 3_600_000;
    await seedRuns(store, engine, IN_FLIGHT, now, () => due);
    now = due;
    const started = performance.now();
    await engine.drain();
    const seconds = (performance.now() - started) / 1000;
    const sends = (await store.listSends({ journeyId: 'bench', limit: IN_FLIGHT + 1 })).length;
    if (sends !== IN_FLIGHT) throw new Error(`expected ${IN_FLIGHT} sends, got ${sends}`);
    await store.close();
    return { perSecond: IN_FLIGHT / seconds, runs: IN_FLIGHT, seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function startLatency(): Promise<{ p50: number; p99: number; max: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-bench-starts-'));
  const rt = await startRuntime({
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    dataDir: dir,
    adminKey: 'bench',
    writeKey: 'bench',
  });
  try {
    const api = {
      ...STEPS,
      id: 'bench-api',
      trigger: { type: 'api' as const },
      reEntry: { mode: 'after_previous_ends' as const, maxConcurrent: 100 },
    };
    const headers = { authorization: 'Bearer bench', 'content-type': 'application/json' };
    const publish = await fetch(`${rt.url}/api/journeys/bench-api/publish`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ definition: api }),
    });
    if (!publish.ok) throw new Error(await publish.text());
    const times: number[] = [];
    for (let i = 0; i < STARTS; i++) {
      const body = JSON.stringify({
        userId: `s${i}`,
        idempotencyKey: `k${i}`,
        context: { at: new Date(Date.now() + 3_600_000).toISOString() },
      });
      const t = performance.now();
      const res = await fetch(`${rt.url}/api/journeys/bench-api/runs`, { method: 'POST', headers, body });
      await res.json();
      if (res.status !== 200) throw new Error(`start ${i}: HTTP ${res.status}`);
      if (i >= 20) times.push(performance.now() - t);
    }
    times.sort((a, b) => a - b);
    return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times[times.length - 1]! };
  } finally {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Pads the timer index with timers of runs that do not exist, due far in the future. */
async function padTimers(store: Store, count: number, farFuture: number): Promise<void> {
  for (let i = 0; i < count; i += 50_000) {
    const timers = Array.from({ length: Math.min(50_000, count - i) }, (_, k) => ({
      runId: `pad_${i + k}`,
      profileId: 'prf_pad' as ProfileId,
      token: 1,
      dueAt: asEpochMs(farFuture + i + k),
    }));
    await store.commitBatch({
      merges: [],
      identities: new Map(),
      events: [],
      profiles: [],
      journeys: { ...EMPTY_JOURNEY_WRITE, timers },
    });
  }
}

async function timerLateness(): Promise<{
  p50: number;
  p99: number;
  max: number;
  early: number;
  fired: number;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-bench-timers-'));
  try {
    const store = await openBenchStore(dir);
    const seedEngine = new ProfileEngine({
      store,
      clock: () => Date.now() as EpochMs,
      mergeOnEmail: false,
      newProfileId: () => createProfileId(),
      batchSize: 2000,
    });
    const runs = BURSTS * BURST_SIZE;
    log(
      `seeding ${formatNumber(runs)} runs due in ${BURSTS} bursts, and ${formatNumber(PENDING_TIMERS - runs)} more pending timers`,
    );
    await padTimers(store, PENDING_TIMERS - runs, Date.now() + 365 * 86_400_000);
    const first = Date.now() + 30_000 + runs / 4;
    const dueAt = (i: number): number => first + Math.floor(i / BURST_SIZE) * 2_000;
    await seedRuns(store, seedEngine, runs, Date.now(), dueAt);
    const engine = new ProfileEngine({
      store,
      clock: () => Date.now() as EpochMs,
      mergeOnEmail: false,
      newProfileId: () => createProfileId(),
      batchSize: 2000,
      pollMs: 1000,
    });
    await engine.start();
    log(`waiting for the bursts (the first in ${((first - Date.now()) / 1000).toFixed(0)} s)`);
    const lastDue = dueAt(runs - 1);
    while (Date.now() < lastDue + 5_000) await new Promise((r) => setTimeout(r, 500));
    await engine.stop();
    const sends = await store.listSends({ journeyId: 'bench', limit: runs + 1 });
    // A send's `at` is when its timer fired; its due time is in the run's trigger (`at`).
    const exact = sends.map(
      (s) => s.at - Date.parse((s.context.trigger as { properties: { at: string } }).properties.at),
    );
    exact.sort((a, b) => a - b);
    await store.close();
    return {
      p50: quantile(exact, 0.5),
      p99: quantile(exact, 0.99),
      max: exact[exact.length - 1] ?? Number.NaN,
      early: exact.filter((x) => x < 0).length,
      fired: exact.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (flags['starts-only']) {
  const s = await startLatency();
  log(
    `run start latency: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`,
  );
  process.exit(0);
}
const t = await transitions();
log(
  `transitions: ${formatNumber(t.perSecond)}/s (${formatNumber(t.runs)} runs in ${t.seconds.toFixed(1)} s)`,
);
const s = await startLatency();
log(`run start latency: p50 ${s.p50.toFixed(1)} ms, p99 ${s.p99.toFixed(1)} ms, max ${s.max.toFixed(1)} ms`);
const l = await timerLateness();
log(`timer lateness: p50 ${l.p50} ms, p99 ${l.p99} ms, max ${l.max} ms, early ${l.early} of ${l.fired}`);
const goals: GoalCheck[] = [
  {
    metric: `durable transitions/s, ${formatNumber(IN_FLIGHT)} runs in flight`,
    value: t.perSecond,
    unit: '/s',
    goal: '≥ 5,000',
    met: t.perSecond >= 5000,
  },
  { metric: 'run start latency p99 (API)', value: s.p99, unit: 'ms', goal: '< 50', met: s.p99 < 50 },
  {
    metric: `timer lateness p99, ${formatNumber(PENDING_TIMERS)} pending`,
    value: l.p99,
    unit: 'ms',
    goal: '≤ 1,000, none early',
    met: l.p99 <= 1000 && l.early === 0,
  },
];
const path = writeResults('journeys', {
  goals,
  quick: flags.quick,
  transitions: t,
  startLatency: s,
  timerLateness: { ...l, pending: PENDING_TIMERS, bursts: BURSTS, burstSize: BURST_SIZE },
});
log(`results in ${path}`);
