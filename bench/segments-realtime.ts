/**
 * Real-time segment benchmark: Orkestra as shipped (a child process, engine in its worker thread) with
 * the 20 segments of `support/bench-segments.ts` defined through the API, fed shop traffic at a paced
 * 5,000 events/s through `/v1/batch` (50 events every 10 ms). Each person's events are 1.5–2.5 s
 * apart and designed so that known events change memberships: the 3rd `Product Viewed` enters
 * 'window-shoppers' (and 'tr-window-shoppers' in Turkey), the 2nd search enters 'searchers', a first
 * `Product Added` or `Checkout Started` before any order enters 'cart-abandoners' or
 * 'checkout-no-order', the first order enters 'recent-buyers' and 'new-customers' (and
 * 'buyers-outside-holdout' outside the holdout) and leaves those, the 2nd enters 'repeat-customers'.
 *
 * Latency = when the change is visible outside minus when the causing event was sent. Visible means
 * returned by the change feed `GET /api/segment-changes` (a long poll that answers on each engine
 * commit), which this process reads continuously; sent means just before the POST of the batch
 * holding the event. Both are read from this process's clock. Changes of segments the script does not
 * model (revenue thresholds, averages) are attributed to the person's latest event sent before the
 * engine evaluated them. Goal: p99 < 100 ms (Dittofeed refreshes segments every 120 s).
 *
 *   node --import tsx bench/segments-realtime.ts [--seconds 60] [--rate 5000] [--quick]
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRandom, hashString, pick, randomInt, type Random } from '../src/core/random.js';
import { bucketOf } from '../src/core/segments/evaluate.js';
import { BENCH_SEGMENTS } from './support/bench-segments.js';
import {
  createLog,
  formatNumber,
  formatTable,
  quantile,
  writeResults,
  type GoalCheck,
} from './support/report.js';
import { startOrkestra } from './support/server-process.js';
import {
  createMessagePool,
  createWebDevice,
  pickShopAction,
  type ShopAction,
  type WebDevice,
} from './support/shop-messages.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string' },
    rate: { type: 'string', default: '5000' },
    quick: { type: 'boolean', default: false },
    seed: { type: 'string', default: '5' },
    profile: { type: 'string' },
  },
});
const SECONDS = Number(flags.seconds ?? (flags.quick ? 15 : 60));
const RATE = Number(flags.rate);
const TICK_MS = 10;
const PER_TICK = Math.round((RATE * TICK_MS) / 1000);
/** A person's events are this many ticks apart (1.5–2.5 s), far more than any latency we measure. */
const SPACING_TICKS = [150, 250] as const;
/** Enough people for the rate: each sends one event every 2 s on average, with 20% to spare. */
const ACTIVE = Math.ceil(RATE * 2 * 1.2);
const WRITE_KEY = 'wk_bench_segments';
const ADMIN_KEY = 'ak_bench_segments';
const GOAL_MS = 100;
const log = createLog();

const COUNTRIES = ['TR', 'DE', 'GB', 'US', 'US'];

interface Person {
  readonly index: number;
  readonly userId: string;
  readonly country: string;
  readonly device: WebDevice;
  readonly rng: Random;
  readonly script: readonly ShopAction[];
  step: number;
  /** Send times (performance.now and Date.now) of each event sent so far. */
  readonly sentPerf: number[];
  readonly sentWall: number[];
}

function createPerson(index: number, seed: number): Person {
  const rng = createRandom(hashString(`${seed}:rt:${index}`));
  const length = randomInt(rng, 6, 14);
  const script = Array.from({ length }, () => pickShopAction(rng));
  return {
    index,
    userId: `rt-${index}`,
    country: pick(rng, COUNTRIES),
    device: createWebDevice(rng),
    rng,
    script,
    step: 0,
    sentPerf: [],
    sentWall: [],
  };
}

/** The membership changes each event of a script causes, for the segments the script is designed around. */
function expectedChanges(
  person: Person,
  inHoldout: boolean,
): { step: number; segmentId: string; entered: boolean }[] {
  const out: { step: number; segmentId: string; entered: boolean }[] = [];
  let views = 0;
  let searches = 0;
  let orders = 0;
  let cart = false;
  let checkout = false;
  person.script.forEach((action, step) => {
    const change = (segmentId: string, entered: boolean) => out.push({ step, segmentId, entered });
    if (action === 'Product Viewed') {
      views++;
      if (views === 1 && orders === 0) change('browsers-never-bought', true);
      if (views === 3) {
        change('window-shoppers', true);
        if (person.country === 'TR') change('tr-window-shoppers', true);
      }
    } else if (action === 'Products Searched') {
      if (++searches === 2) change('searchers', true);
    } else if (action === 'Product Added' && orders === 0 && !cart) {
      cart = true;
      change('cart-abandoners', true);
    } else if (action === 'Checkout Started' && orders === 0 && !checkout) {
      checkout = true;
      change('checkout-no-order', true);
    } else if (action === 'Order Completed') {
      orders++;
      if (orders === 1) {
        change('recent-buyers', true);
        change('new-customers', true);
        if (!inHoldout) change('buyers-outside-holdout', true);
        if (views > 0) change('browsers-never-bought', false);
        if (cart) change('cart-abandoners', false);
        if (checkout) change('checkout-no-order', false);
      }
      if (orders === 2) change('repeat-customers', true);
    }
  });
  return out;
}
const MODELLED = new Set([
  'browsers-never-bought',
  'window-shoppers',
  'tr-window-shoppers',
  'searchers',
  'cart-abandoners',
  'checkout-no-order',
  'recent-buyers',
  'new-customers',
  'buyers-outside-holdout',
  'repeat-customers',
]);

// ---------------------------------------------------------------------------------------------------
const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-segments-rt-'));
console.log(
  `Real-time segment benchmark: ${BENCH_SEGMENTS.length} segments, ${formatNumber(RATE)} events/s ` +
    `(${PER_TICK} every ${TICK_MS} ms) for ${SECONDS} s, ${cpus().length} CPUs, load ${loadavg()[0]!.toFixed(2)}`,
);
const server = await startOrkestra({
  dataDir,
  writeKey: WRITE_KEY,
  adminKey: ADMIN_KEY,
  profileDir: flags.profile,
});
const ingestHeaders = {
  'content-type': 'application/json',
  authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
};
const adminHeaders = { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` };

async function admin<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${server.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: adminHeaders,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}
async function inboxDepth(): Promise<number> {
  return ((await (await fetch(`${server.url}/health`)).json()) as { inboxDepth: number }).inboxDepth;
}
async function settle(): Promise<void> {
  while ((await inboxDepth()) > 0) await new Promise((r) => setTimeout(r, 50));
}

for (const d of BENCH_SEGMENTS) await admin('/api/segments', d);
log(`defined ${BENCH_SEGMENTS.length} segments through the API`);

// Everyone who will shop signs in first, so that the measured phase holds only shop events.
const SEED = Number(flags.seed);
const peopleNeeded = Math.ceil((RATE * SECONDS) / 6) + ACTIVE;
const people: Person[] = Array.from({ length: peopleNeeded }, (_, i) => createPerson(i, SEED));
for (let i = 0; i < people.length; i += 500) {
  const batch = people.slice(i, i + 500).map((p) => ({
    type: 'identify',
    messageId: `rt-id-${p.index}`,
    userId: p.userId,
    anonymousId: p.device.anonymousId,
    traits: { email: `rt.${p.index}@example.com`, country: p.country },
  }));
  const res = await fetch(`${server.url}/v1/batch`, {
    method: 'POST',
    headers: ingestHeaders,
    body: JSON.stringify({ batch }),
  });
  if (res.status !== 200) throw new Error(`identify batch refused: ${res.status}`);
}
await settle();
let feedPosition = 0;
for (;;) {
  const page = await admin<{ items: unknown[]; next: number }>(
    `/api/segment-changes?after=${feedPosition}&limit=10000`,
  );
  feedPosition = page.next;
  if (page.items.length === 0) break;
}
log(`${formatNumber(people.length)} people signed in; change feed at ${feedPosition}`);

// The change feed reader: records when each change became visible here.
interface Observed {
  readonly id: number;
  readonly segmentId: string;
  readonly profileId: string;
  readonly entered: boolean;
  readonly at: number;
  readonly seenPerf: number;
}
const observed: Observed[] = [];
let reading = true;
const reader = (async () => {
  while (reading) {
    const page = await admin<{
      items: { id: number; segmentId: string; profileId: string; entered: boolean; at: string }[];
      next: number;
    }>(`/api/segment-changes?after=${feedPosition}&limit=10000&wait=1000`);
    const seenPerf = performance.now();
    for (const c of page.items) observed.push({ ...c, at: Date.parse(c.at), seenPerf });
    feedPosition = page.next;
  }
})();

// The paced sender: a timing wheel of people by the tick their next event is due.
const pool = createMessagePool(createRandom(SEED ^ 0x2545f491));
const wheel = new Map<number, Person[]>();
const schedule = (p: Person, tick: number) => {
  const list = wheel.get(tick);
  if (list) list.push(p);
  else wheel.set(tick, [p]);
};
let nextPerson = 0;
for (; nextPerson < ACTIVE; nextPerson++) schedule(people[nextPerson]!, nextPerson % SPACING_TICKS[1]);
const ready: Person[] = [];
const totalTicks = Math.round((SECONDS * 1000) / TICK_MS);
const ackMs: number[] = [];
let sent = 0;
let acknowledged = 0;
let inFlight = 0;
let maxInFlight = 0;
let failures = 0;
const pending: Promise<void>[] = [];

function sendTick(tick: number): void {
  for (const p of wheel.get(tick) ?? []) ready.push(p);
  wheel.delete(tick);
  const batch: Person[] = ready.splice(0, PER_TICK);
  if (batch.length === 0) return;
  const startedPerf = performance.now();
  const startedWall = Date.now();
  const timestamp = new Date(startedWall).toISOString();
  const messages = batch.map((p) => {
    const step = p.step++;
    p.sentPerf.push(startedPerf);
    p.sentWall.push(startedWall);
    const ids = { messageId: `rt-${p.index}-${step}`, device: p.device, userId: p.userId, timestamp };
    if (p.step < p.script.length) schedule(p, tick + randomInt(p.rng, ...SPACING_TICKS));
    else if (nextPerson < people.length) schedule(people[nextPerson++]!, tick + 1);
    return pool.render(p.rng, p.script[step]!, ids);
  });
  sent += messages.length;
  inFlight++;
  maxInFlight = Math.max(maxInFlight, inFlight);
  pending.push(
    fetch(`${server.url}/v1/batch`, {
      method: 'POST',
      headers: ingestHeaders,
      body: `{"batch":[${messages.join(',')}]}`,
    }).then(
      async (res) => {
        await res.arrayBuffer();
        inFlight--;
        if (res.status !== 200) failures++;
        else {
          acknowledged += messages.length;
          ackMs.push(performance.now() - startedPerf);
        }
      },
      () => {
        inFlight--;
        failures++;
      },
    ),
  );
}

const cpuBefore = server.cpuSeconds();
const started = performance.now();
let lastReport = started;
let tick = 0;
while (tick < totalTicks) {
  const now = performance.now();
  // Catch up on every tick that is due (timers may fire late on a busy machine), then sleep.
  while (tick < totalTicks && started + tick * TICK_MS <= now) sendTick(tick++);
  if (now - lastReport >= 5000) {
    lastReport = now;
    log(
      `  sent ${formatNumber(sent)} (${formatNumber(sent / ((now - started) / 1000))}/s), ` +
        `acknowledged ${formatNumber(acknowledged)}, in flight ${inFlight}, changes seen ${formatNumber(observed.length)}`,
    );
  }
  await new Promise((r) => setTimeout(r, Math.max(0, started + tick * TICK_MS - performance.now())));
}
await Promise.all(pending);
const sendSeconds = (performance.now() - started) / 1000;
const cpu = server.cpuSeconds() - cpuBefore;
await settle();
// Let the feed reader catch the last commits.
let quietSince = observed.length;
for (;;) {
  await new Promise((r) => setTimeout(r, 1500));
  if (observed.length === quietSince) break;
  quietSince = observed.length;
}
reading = false;
await reader;
const peak = server.memory().peak;
await server.stop();

// Who is who: the profile id of each person, read from the stopped server's store.
const db = new Database(join(dataDir, 'orkestra.db'), { readonly: true });
const personOf = new Map<string, Person>();
const userIndex = new Map(people.map((p) => [p.userId, p]));
for (const row of db.prepare(`SELECT value, profile_id FROM identities WHERE kind = 'user_id'`).all() as {
  value: string;
  profile_id: string;
}[]) {
  const p = userIndex.get(row.value);
  if (p) personOf.set(row.profile_id, p);
}
db.close();
rmSync(dataDir, { recursive: true, force: true });

// Match what was seen with what each event was designed to cause.
const expected = new Map<string, { perf: number; wall: number }[]>();
let expectedCount = 0;
let causingEvents = 0;
for (const [profileId, p] of personOf) {
  if (p.step === 0) continue;
  const holdout = bucketOf(profileId, 'holdout-2026') < 10;
  const changes = expectedChanges(p, holdout).filter((e) => e.step < p.step);
  causingEvents += new Set(changes.map((e) => e.step)).size;
  for (const e of changes) {
    const key = `${profileId}|${e.segmentId}|${e.entered}`;
    const list = expected.get(key) ?? [];
    list.push({ perf: p.sentPerf[e.step]!, wall: p.sentWall[e.step]! });
    expected.set(key, list);
    expectedCount++;
  }
}
const latencies: number[] = [];
const evaluated: number[] = [];
let matched = 0;
let unexpected = 0;
let attributed = 0;
for (const c of observed) {
  const p = personOf.get(c.profileId);
  if (!p) continue;
  let cause: { perf: number; wall: number } | undefined;
  if (MODELLED.has(c.segmentId)) {
    cause = expected.get(`${c.profileId}|${c.segmentId}|${c.entered}`)?.shift();
    if (cause) matched++;
    else unexpected++;
  } else {
    // The person's latest event sent before the engine evaluated the change.
    const i = p.sentWall.findLastIndex((t) => t <= c.at);
    if (i >= 0) {
      cause = { perf: p.sentPerf[i]!, wall: p.sentWall[i]! };
      attributed++;
    }
  }
  if (!cause) continue;
  latencies.push(c.seenPerf - cause.perf);
  evaluated.push(c.at - cause.wall);
}
const missing = [...expected.values()].reduce((n, l) => n + l.length, 0);
latencies.sort((a, b) => a - b);
evaluated.sort((a, b) => a - b);
ackMs.sort((a, b) => a - b);
const rate = acknowledged / sendSeconds;
const p99 = quantile(latencies, 0.99);
const goals: GoalCheck[] = [
  {
    metric: `event → membership change p99 at ${formatNumber(RATE)} events/s`,
    value: p99,
    unit: 'ms',
    goal: `< ${GOAL_MS}`,
    met: p99 < GOAL_MS && missing === 0 && unexpected === 0 && rate >= RATE * 0.97,
  },
];
const ms = (x: number) => formatNumber(x, 1);
const table = [
  ['events sent / acknowledged', `${formatNumber(sent)} / ${formatNumber(acknowledged)}`, ''],
  ['achieved rate, events/s', formatNumber(rate), `${formatNumber(RATE)}`],
  ['batch acknowledgement p50 / p99, ms', `${ms(quantile(ackMs, 0.5))} / ${ms(quantile(ackMs, 0.99))}`, ''],
  ['membership changes seen', formatNumber(latencies.length), ''],
  ['  designed: matched / missing / unexpected', `${matched} / ${missing} / ${unexpected}`, 'all / 0 / 0'],
  ['  other segments, attributed', formatNumber(attributed), ''],
  [
    'events designed to change a membership, %',
    formatNumber((100 * causingEvents) / Math.max(1, sent), 1),
    '',
  ],
  ['designed changes per 100 events', formatNumber((100 * expectedCount) / Math.max(1, sent), 1), ''],
  ['latency p50, ms', ms(quantile(latencies, 0.5)), ''],
  ['latency p99, ms', ms(p99), `< ${GOAL_MS}`],
  ['latency max, ms', ms(latencies.at(-1) ?? Number.NaN), ''],
  [
    '  of which to evaluation p50 / p99, ms',
    `${ms(quantile(evaluated, 0.5))} / ${ms(quantile(evaluated, 0.99))}`,
    '',
  ],
  ['server CPU, % of one core', formatNumber((100 * cpu) / sendSeconds), ''],
  ['server peak RSS, MB', formatNumber(peak / 2 ** 20), ''],
  ['client max requests in flight', String(maxInFlight), ''],
  ['failed requests', String(failures), '0'],
];
console.log(`\n${formatTable(['metric', 'value', 'goal'], table)}\n`);
for (const g of goals)
  if (!g.met) console.log(`MISSED ${g.metric}: ${ms(g.value)} ${g.unit} (goal ${g.goal})`);
const path = writeResults('segments-realtime', {
  goals,
  table: { header: ['metric', 'value', 'goal'], rows: table },
  latencyMs: {
    p50: quantile(latencies, 0.5),
    p90: quantile(latencies, 0.9),
    p99,
    max: latencies.at(-1) ?? null,
    count: latencies.length,
  },
  config: { seconds: SECONDS, rate: RATE, tickMs: TICK_MS, perTick: PER_TICK, active: ACTIVE, seed: SEED },
  environment: { cpus: cpus().length, node: process.version, load: loadavg() },
});
console.log(`results written to ${path}`);
