import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { WorkerEngine } from '../src/engine/worker-engine.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';
import { holdsSysNice } from '../src/store/thread-priority.js';

let rt: TestRuntime;
/** `ORKESTRA_BACKGROUND_NICE` for this runtime. */
const NICE = 7;
before(async () => {
  rt = await startTestRuntime({ backgroundNice: NICE });
});
after(() => rt.close());

const track = (userId: string, i: number) => ({
  type: 'track',
  userId,
  event: 'Product Viewed',
  messageId: `${userId}-${i}`,
  properties: { i },
});

test('the default engine runs in a worker thread and applies what ingest appends', async () => {
  assert.ok(rt.engine instanceof WorkerEngine);
  const res = await rt.send('/v1/batch', { batch: Array.from({ length: 50 }, (_, i) => track('w-1', i)) });
  assert.equal(res.status, 200);
  await rt.settle();
  const found = await rt.admin('/api/profiles?q=w-1');
  assert.equal(found.body.items.length, 1);
  assert.equal(found.body.items[0].computed.eventCount, 50);
});

test('exclusive pauses the worker: nothing is applied while the job runs, all of it afterwards', async () => {
  await rt.settle();
  const before = rt.engine.lastProcessedSeq;
  let during = -1;
  await rt.engine.exclusive(async () => {
    const res = await rt.send('/v1/batch', { batch: Array.from({ length: 20 }, (_, i) => track('w-2', i)) });
    assert.equal(res.status, 200);
    // The entries are durable in the inbox; give a running worker ample time to pick them up.
    await new Promise((r) => setTimeout(r, 300));
    during = rt.engine.lastProcessedSeq;
    assert.equal(await rt.store.inboxDepth(), 20);
  });
  assert.equal(during, before, 'the worker applied nothing while paused');
  await rt.settle();
  assert.equal(await rt.store.inboxDepth(), 0);
  const found = await rt.admin('/api/profiles?q=w-2');
  assert.equal(found.body.items[0].computed.eventCount, 20);
});

test('waitFor resolves once the worker has applied an erasure, before the API answers', async () => {
  const found = await rt.admin('/api/profiles?q=w-1');
  const id = found.body.items[0].id as string;
  const erased = await rt.admin(`/api/profiles/${id}`, 'DELETE');
  assert.equal(erased.status, 200);
  assert.equal((await rt.admin(`/api/profiles/${id}`)).status, 404);
  // Its dedupe keys went with it: the same messages are accepted and stored again.
  await rt.send('/v1/batch', { batch: [track('w-1', 0)] });
  await rt.settle();
  assert.equal((await rt.admin('/api/profiles?q=w-1')).body.items[0].computed.eventCount, 1);
});

/** Nice values of this process's threads, by thread id (Linux: field 19 of `/proc/self/task/<tid>/stat`). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
    // After the command name in parentheses: state is field 3, nice field 19.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    nices.set(Number(tid), Number(fields[16]));
  }
  return nices;
}

test('with a background nice value, the engine and its checkpoint thread run below the HTTP thread', () => {
  const nices = threadNices();
  assert.equal(nices.get(process.pid), 0, 'the main (HTTP) thread keeps its priority');
  const lowered = [...nices.values()].filter((n) => n === NICE);
  // The engine lowers its own priority before it opens the store; the checkpoint thread it starts inherits it.
  assert.ok(lowered.length >= 2, `threads at nice ${NICE}: ${lowered.length}`);
});

test('far behind ingest, the engine thread gives way (burst nice 19) and returns to its own priority once caught up', async () => {
  await rt.settle();
  const sends: Promise<unknown>[] = [];
  // Held off while 8,000 entries arrive, the engine then finds a backlog past DEFAULT_BURST_POLICY.enterAt.
  await rt.engine.exclusive(async () => {
    for (let b = 0; b < 4; b++)
      sends.push(
        rt.send('/v1/batch', {
          batch: Array.from({ length: 2_000 }, (_, i) => track(`burst-${i % 50}`, b * 2_000 + i)),
        }),
      );
    for (const res of (await Promise.all(sends)) as { status: number }[]) assert.equal(res.status, 200);
  });
  let sawBurst = false;
  let sawNice19 = false;
  const done = rt.settle().then(() => true);
  for (let settled = false; !settled;) {
    sawBurst ||= rt.engine.inBurst === true;
    sawNice19 ||= [...threadNices().values()].includes(19);
    settled = await Promise.race([done, new Promise<boolean>((r) => setTimeout(() => r(false), 2))]);
  }
  if (holdsSysNice()) {
    assert.ok(sawBurst, 'the engine reported burst mode');
    assert.ok(sawNice19, 'a thread ran at nice 19 meanwhile');
  } else assert.ok(!sawBurst && !sawNice19, 'without CAP_SYS_NICE burst mode stays off');
  // Caught up: back at the runtime's background nice, and /health says so.
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(rt.engine.inBurst, false);
  assert.ok(![...threadNices().values()].includes(19), 'no thread is left at nice 19');
  const health = (await (await fetch(`${rt.url}/health`)).json()) as { engineBurst: boolean };
  assert.equal(health.engineBurst, false);
  assert.equal((await rt.admin('/api/profiles?q=burst-7')).body.items[0].computed.eventCount, 160);
});
