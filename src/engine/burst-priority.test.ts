import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { test } from 'node:test';
import {
  BurstPriority,
  CALM,
  DEFAULT_BURST_POLICY,
  describeBurst,
  nextBurst,
  type BurstState,
} from './burst-priority.js';
import { holdsSysNice } from '../store/thread-priority.js';

const policy = { enterAt: 100, leaveAt: 10, maxMs: 1_000, nice: 19 };

/** The burst flag after each (backlog, time) step, from calm. */
function walk(steps: readonly (readonly [number, number])[]): boolean[] {
  let state: BurstState = CALM;
  return steps.map(([backlog, now]) => (state = nextBurst(state, backlog, now, policy)).burst);
}

test('burst mode starts at enterAt entries waiting, ends at leaveAt, and holds in between', () => {
  const backlogs = [0, 50, 99, 100, 500, 50, 11, 99, 10, 11, 99, 100];
  assert.deepEqual(walk(backlogs.map((b, i) => [b, i])), [
    false,
    false,
    false,
    true,
    true,
    true,
    true,
    true,
    false,
    false,
    false,
    true,
  ]);
  assert.ok(DEFAULT_BURST_POLICY.leaveAt < DEFAULT_BURST_POLICY.enterAt);
});

test('a burst lasts maxMs at most, and the next starts only once the backlog has come down to leaveAt', () => {
  assert.deepEqual(
    walk([
      [200, 0], // a burst starts
      [5_000, 999],
      [9_000, 1_000], // ran out: the engine shares the cores again, with the backlog still high
      [9_000, 5_000],
      [11, 6_000], // down, but not to leaveAt: still no new burst
      [200, 6_500],
      [10, 7_000], // caught up
      [200, 7_100], // a new burst
      [200, 8_099],
      [200, 8_100],
    ]),
    [true, true, false, false, false, false, false, true, true, false],
  );
});

test('BurstPriority moves the calling thread to the burst nice value and back, where the kernel lets it come back', () => {
  const tid = process.pid; // this test file's main thread
  const base = getPriority(tid);
  let now = 0;
  const burst = new BurstPriority(policy, () => now);
  if (process.platform === 'linux' && holdsSysNice() && base < 19) {
    assert.deepEqual(burst.support, { supported: true, tid });
    assert.equal(getPriority(tid), base, 'the probe left the thread where it was');
    assert.equal(burst.observe(99), false);
    assert.equal(burst.observe(100), true);
    assert.equal(burst.inBurst, true);
    assert.equal(getPriority(tid), 19);
    assert.equal(burst.observe(50), false, 'between the thresholds nothing changes');
    assert.equal(getPriority(tid), 19);
    assert.equal(burst.observe(10), true);
    assert.equal(burst.inBurst, false);
    assert.equal(getPriority(tid), base);
    // A burst that outlasts maxMs gives the thread its own priority back, backlog or not.
    assert.equal(burst.observe(5_000), true);
    assert.equal(getPriority(tid), 19);
    now += policy.maxMs;
    assert.equal(burst.observe(5_000), true);
    assert.equal(burst.inBurst, false);
    assert.equal(getPriority(tid), base);
  } else {
    // Without the right to come back, burst mode stays off: a thread stuck low would cost real time for good.
    assert.equal(burst.support.supported, false);
    assert.equal(burst.observe(1_000_000), false);
    assert.equal(burst.inBurst, false);
  }
});

test('burst nice 0 turns burst mode off', () => {
  const before = getPriority(process.pid);
  const burst = new BurstPriority({ ...DEFAULT_BURST_POLICY, nice: 0 });
  assert.deepEqual(burst.support, { supported: false, reason: 'burst priority is off (nice 0)' });
  assert.equal(burst.observe(1_000_000), false);
  assert.equal(burst.inBurst, false);
  assert.equal(getPriority(process.pid), before);
});

test('each change of burst mode is told in words, with its reason', () => {
  assert.equal(
    describeBurst(true, 6_200, DEFAULT_BURST_POLICY),
    '6,200 entries wait for the engine: it gives way to ingest for up to 10 s, or until it has caught up',
  );
  assert.equal(
    describeBurst(false, 480, DEFAULT_BURST_POLICY),
    'the engine has caught up (480 entries wait): back to its usual priority',
  );
  assert.equal(
    describeBurst(false, 289_600, DEFAULT_BURST_POLICY),
    'a burst has lasted 10 s: the engine shares the cores with ingest again (289,600 entries wait)',
  );
});
