/**
 * Engine benchmark: what applying one event to profiles costs the engine, with the 20 segments of
 * `support/bench-segments.ts` defined, measured without HTTP, load generator or pacing around it, so
 * that a change of a few per cent shows (the real-time benchmark's p99 moves by more than that from
 * one run to the next). The real-time latency follows this figure: at 5,000 events/s the engine's
 * share of a core is 5,000 × this cost, and the closer to a whole core, the longer every hiccup takes
 * to drain.
 *
 * Set-up: Orkestra (in this process) defines the segments through its API and signs the shoppers in.
 * Then the shop events of `--events` people-steps are appended to the inbox, and a `ProfileEngine`
 * over the store the engine's worker uses (same options: profile cache, NORMAL commits, checkpoint
 * thread) applies them, `--batch` entries per transaction (100 is what the real-time benchmark's
 * batches hold; 10,000 is a backlog). Each pass has shoppers of its own, each with about
 * `--events-per-person` events (as the real-time benchmark's people have 6–14), since a profile's
 * segment state grows with its events in the windows. Printed: wall and CPU µs per event, median of
 * `--runs` passes, the batch sizes taking turns. `--segments 0` leaves the segments out, as the
 * pipeline benchmark does.
 *
 *   node --import tsx bench/engine.ts [--events 50000] [--events-per-person 8] [--batch 100,10000] [--runs 3] [--segments 20]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EpochMs } from '../src/core/brand.js';
import type { InboundMessage } from '../src/core/messages/inbound-message.js';
import { createRandom, hashString, pick, type Random } from '../src/core/random.js';
import { callAdmin } from '../src/cli/admin-client.js';
import { DEFAULT_CONFIG, startRuntime } from '../src/cli/runtime.js';
import { createProfileId } from '../src/engine/ids.js';
import { ProfileEngine } from '../src/engine/profile-engine.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { BENCH_SEGMENTS } from './support/bench-segments.js';
import { createLog, formatNumber, formatTable, median, writeResults } from './support/report.js';
import {
  createMessagePool,
  createWebDevice,
  pickShopAction,
  type WebDevice,
} from './support/shop-messages.js';

const { values: flags } = parseArgs({
  options: {
    events: { type: 'string', default: '50000' },
    'events-per-person': { type: 'string', default: '8' },
    batch: { type: 'string', default: '100,10000' },
    runs: { type: 'string', default: '3' },
    segments: { type: 'string', default: String(BENCH_SEGMENTS.length) },
  },
});
const EVENTS = Number(flags.events);
const PER_PERSON = Number(flags['events-per-person']);
/** Each pass has shoppers of its own, so that every pass meets profiles of the same size. */
const PEOPLE_PER_PASS = Math.ceil(EVENTS / PER_PERSON);
const BATCHES = flags.batch.split(',').map(Number);
const RUNS = Number(flags.runs);
/** The first `--segments` of the 20: 0 is what the pipeline benchmark's engine does (no segments). */
const SEGMENTS = BENCH_SEGMENTS.slice(0, Number(flags.segments));
const PASSES = RUNS * BATCHES.length;
const log = createLog();

interface Shopper {
  readonly userId: string;
  readonly device: WebDevice;
  readonly rng: Random;
  step: number;
}

const shoppers: Shopper[] = Array.from({ length: PEOPLE_PER_PASS * PASSES }, (_, i) => {
  const rng = createRandom(hashString(`engine:${i}`));
  return { userId: `eng-${i}`, device: createWebDevice(rng), rng, step: 0 };
});
const pool = createMessagePool(createRandom(11));
const order = createRandom(12);

/** `n` shop events from the shoppers of pass `run`, in random order, as the inbox holds them. */
function shopEvents(n: number, run: number): InboundMessage[] {
  const receivedAt = new Date().toISOString();
  const mine = shoppers.slice(run * PEOPLE_PER_PASS, (run + 1) * PEOPLE_PER_PASS);
  return Array.from({ length: n }, () => {
    const s = pick(order, mine);
    const step = s.step++;
    const ids = {
      messageId: `eng-${run}-${s.userId}-${step}`,
      device: s.device,
      userId: s.userId,
      timestamp: receivedAt,
    };
    const message = JSON.parse(pool.render(s.rng, pickShopAction(s.rng), ids)) as Record<string, unknown>;
    return { ...message, receivedAt, sentAt: receivedAt } as unknown as InboundMessage;
  });
}

const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-engine-bench-'));
try {
  // 1. Segments through the API, and every shopper signed in (their profiles exist, as in real time).
  const runtime = await startRuntime({
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    dataDir,
    writeKey: 'wk_engine_bench',
    adminKey: 'ak_engine_bench',
  });
  for (const d of SEGMENTS) {
    const res = await callAdmin(runtime, 'POST', '/api/segments', d);
    if (res.status !== 200) throw new Error(`segment ${d.id}: ${res.status}`);
  }
  for (let i = 0; i < shoppers.length; i += 500) {
    const batch = shoppers.slice(i, i + 500).map((s) => ({
      type: 'identify',
      messageId: `eng-id-${s.userId}`,
      userId: s.userId,
      anonymousId: s.device.anonymousId,
      traits: { email: `${s.userId}@example.com`, country: pick(s.rng, ['TR', 'DE', 'GB', 'US']) },
    }));
    const res = await fetch(`${runtime.url}/v1/batch`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from('wk_engine_bench:').toString('base64')}`,
      },
      body: JSON.stringify({ batch }),
    });
    if (res.status !== 200) throw new Error(`identify batch: ${res.status}`);
  }
  await runtime.engine.drain();
  await runtime.close();
  log(`${SEGMENTS.length} segments defined, ${formatNumber(shoppers.length)} shoppers signed in`);

  // 2. The engine's store, as its worker opens it, and an appender as the HTTP thread's.
  const path = join(dataDir, 'orkestra.db');
  const store = openSqliteStore({
    path,
    synchronous: 'full',
    engineSynchronous: 'normal',
    cacheProfiles: 300_000,
    checkpointThread: true,
  });
  const inbox = openSqliteStore({ path, synchronous: 'full' });
  const engines = new Map(
    BATCHES.map((batchSize) => [
      batchSize,
      new ProfileEngine({
        store,
        clock: () => Date.now() as EpochMs,
        mergeOnEmail: true,
        newProfileId: createProfileId,
        batchSize,
      }),
    ]),
  );
  for (const engine of engines.values()) await engine.reloadSegments();
  const measured = new Map<number, { wall: number[]; cpu: number[] }>(
    BATCHES.map((b) => [b, { wall: [], cpu: [] }]),
  );
  // Batch sizes take turns, so that the store's growth over the run weighs on each alike.
  let run = 0;
  for (let r = 0; r < RUNS; r++) {
    for (const [batchSize, engine] of engines) {
      const events = shopEvents(EVENTS, run++);
      for (let i = 0; i < events.length; i += 500) {
        const entries = events.slice(i, i + 500).map((message) => ({ kind: 'message' as const, message }));
        const now = Date.now() as EpochMs;
        await inbox.appendToInbox(entries, { now, dedupeSince: (now - 86_400_000) as EpochMs });
      }
      const cpuStart = process.cpuUsage();
      const started = performance.now();
      let done = 0;
      while (done < EVENTS) {
        const n = await engine.processOnce();
        if (n === 0) throw new Error(`the inbox ran dry after ${done} of ${EVENTS} events`);
        done += n;
      }
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpuStart);
      const m = measured.get(batchSize)!;
      m.wall.push((1000 * ms) / EVENTS);
      m.cpu.push((used.user + used.system) / EVENTS);
      log(
        `  pass ${r + 1}, batches of ${batchSize}: ${m.wall.at(-1)!.toFixed(1)} µs/event wall, ${m.cpu.at(-1)!.toFixed(1)} µs CPU`,
      );
    }
  }
  const rows: string[][] = [];
  const results: Record<string, { wallUs: number; cpuUs: number }> = {};
  for (const [batchSize, m] of measured) {
    const result = { wallUs: median(m.wall), cpuUs: median(m.cpu) };
    results[String(batchSize)] = result;
    rows.push([
      `batches of ${formatNumber(batchSize)}`,
      result.wallUs.toFixed(1),
      result.cpuUs.toFixed(1),
      formatNumber(1e6 / result.wallUs),
    ]);
  }
  await inbox.close();
  await store.close();
  const header = [
    `engine, ${SEGMENTS.length} segments`,
    'µs/event (wall)',
    'µs/event (process CPU)',
    'events/s',
  ];
  console.log(`\n${formatTable(header, rows)}`);
  console.log('(process CPU includes the checkpoint thread, which runs beside the engine)');
  writeResults('engine', { goals: [], table: { header, rows }, results });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
