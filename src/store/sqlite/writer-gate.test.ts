import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { WriterGate } from './writer-gate.js';

/** Blocks this thread for `ms` (the gate's sides are synchronous, as SQLite calls are). */
const block = (ms: number): void => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms) as never;

/**
 * The other side of the gate in a thread of its own (the checkpoint thread's role, or the engine's):
 * enters `side` on the shared buffer, posts when inside, holds it `holdMs`, posts its exit time.
 */
function otherThread(buffer: SharedArrayBuffer, side: 'write' | 'restart', holdMs: number) {
  // Set by the thread just before it asks for the gate (readable by a thread blocked inside it).
  const asking = new Int32Array(new SharedArrayBuffer(4));
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    import('tsx/esm/api').then((tsx) => { tsx.register(); return import(workerData.module); }).then(({ WriterGate }) => {
      const gate = new WriterGate(workerData.buffer);
      Atomics.store(workerData.asking, 0, 1);
      Atomics.notify(workerData.asking, 0);
      gate[workerData.side](() => {
        parentPort.postMessage({ entered: performance.timeOrigin + performance.now() });
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, workerData.holdMs);
        parentPort.postMessage({ left: performance.timeOrigin + performance.now() });
      });
    });`;
  const worker = new Worker(code, {
    eval: true,
    workerData: { buffer, side, holdMs, asking, module: new URL('./writer-gate.ts', import.meta.url).href },
  });
  const message = (key: 'entered' | 'left') =>
    new Promise<number>((resolve, reject) => {
      const on = (m: Record<string, number>) => {
        if (m[key] === undefined) return;
        worker.off('message', on);
        resolve(m[key]);
      };
      worker.on('message', on);
      worker.once('error', reject);
    });
  return {
    entered: message('entered'),
    left: message('left'),
    exited: new Promise((r) => worker.once('exit', r)),
    /** Blocks until the thread asks for the gate. */
    awaitAsking: () => Atomics.wait(asking, 0, 0, 10_000),
  };
}

const now = () => performance.timeOrigin + performance.now();

test('a commit that meets a RESTART waits for it and starts the moment it ends, not a busy-handler sleep later', async () => {
  const gate = new WriterGate();
  const restart = otherThread(gate.buffer, 'restart', 150);
  await restart.entered;
  let started = 0;
  gate.write(() => {
    started = now();
  });
  const left = await restart.left;
  assert.ok(started >= left, 'the commit ran while the RESTART held the gate');
  assert.ok(started - left < 100, `woken ${(started - left).toFixed(1)} ms after the RESTART ended`);
  await restart.exited;
});

test('a RESTART lets the commit in progress end first, then runs while the next commit waits', async () => {
  const gate = new WriterGate();
  let restart: ReturnType<typeof otherThread> | undefined;
  let commitEnded = 0;
  gate.write(() => {
    restart = otherThread(gate.buffer, 'restart', 100);
    restart.awaitAsking();
    block(100); // the commit goes on after the RESTART asked to start
    commitEnded = now();
  });
  const entered = await restart!.entered;
  assert.ok(entered >= commitEnded, 'the RESTART began inside a commit');
  let next = 0;
  gate.write(() => {
    next = now();
  });
  assert.ok(next >= (await restart!.left), 'the next commit ran inside the RESTART');
  await restart!.exited;
});

test('a side left holding the gate (its thread died) delays the other by the bound at most', () => {
  const gate = new WriterGate(undefined, 200);
  // The RESTART cell set by a thread that never cleared it.
  Atomics.store(new Int32Array(gate.buffer), 1, 1);
  const started = now();
  let ran = false;
  gate.write(() => {
    ran = true;
  });
  const waited = now() - started;
  assert.ok(ran);
  assert.ok(waited >= 190 && waited < 1000, `waited ${waited.toFixed(0)} ms`);
  // And a RESTART whose writer never left goes ahead after the bound too.
  const stuck = new WriterGate(undefined, 200);
  Atomics.store(new Int32Array(stuck.buffer), 0, 1);
  const t0 = now();
  assert.equal(
    stuck.restart(() => 'done'),
    'done',
  );
  assert.ok(now() - t0 >= 190);
});
