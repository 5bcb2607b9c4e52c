import { getPriority } from 'node:os';
import { currentThreadId, trySetThreadPriority } from '../store/thread-priority.js';

/**
 * When the engine thread gives way to ingest. A backlog of `enterAt` entries means the engine is
 * seconds behind (real time holds a few hundred at 5,000 events/s): a burst is arriving faster than
 * the engine applies it, and on a machine with few cores the two then slow each other down. In a
 * burst the engine thread drops to `nice`, so the HTTP thread acknowledges at full speed and the
 * engine applies the backlog with the cores left over, then right after. Once the backlog is down to
 * `leaveAt` it returns to its usual priority, so real-time segments and journeys keep their latency.
 * A burst lasts `maxMs` at most: load that goes on longer is not a burst, and an engine held back for
 * good would fall behind for good, so it then shares the cores as usual until it has caught up.
 */
export interface BurstPolicy {
  readonly enterAt: number;
  readonly leaveAt: number;
  readonly maxMs: number;
  /** The engine thread's nice value in a burst (1–19). */
  readonly nice: number;
}

export const DEFAULT_BURST_POLICY: BurstPolicy = { enterAt: 5_000, leaveAt: 500, maxMs: 10_000, nice: 19 };

/** Where burst mode stands: `since` is when the current burst began; `spent`, that it ran its `maxMs` out. */
export interface BurstState {
  readonly burst: boolean;
  readonly since: number;
  readonly spent: boolean;
}

export const CALM: BurstState = { burst: false, since: 0, spent: false };

/**
 * The next burst state, given the backlog at `now`: a burst starts at `enterAt` entries or more,
 * ends at `leaveAt` or fewer (so a backlog hovering near one threshold does not flap) or after
 * `maxMs`; one that ran out starts again only once the backlog has come down to `leaveAt`.
 * @example nextBurst(CALM, 6_000, 0, DEFAULT_BURST_POLICY).burst; // true
 */
export function nextBurst(state: BurstState, backlog: number, now: number, policy: BurstPolicy): BurstState {
  if (backlog <= policy.leaveAt) return state.burst || state.spent ? CALM : state;
  if (state.burst)
    return now - state.since >= policy.maxMs ? { burst: false, since: state.since, spent: true } : state;
  if (!state.spent && backlog >= policy.enterAt) return { burst: true, since: now, spent: false };
  return state;
}

/**
 * The log line for a change of burst mode (`on`: it started), with the backlog seen then.
 * @example describeBurst(false, 200, DEFAULT_BURST_POLICY); // 'the engine has caught up …'
 */
export function describeBurst(on: boolean, backlog: number, policy: BurstPolicy): string {
  const waiting = `${backlog.toLocaleString('en')} entries wait`;
  if (on)
    return `${waiting} for the engine: it gives way to ingest for up to ${policy.maxMs / 1000} s, or until it has caught up`;
  if (backlog <= policy.leaveAt) return `the engine has caught up (${waiting}): back to its usual priority`;
  return `a burst has lasted ${policy.maxMs / 1000} s: the engine shares the cores with ingest again (${waiting})`;
}

/** What `BurstPriority` found it may do on this thread. */
export type BurstSupport =
  { readonly supported: true; readonly tid: number } | { readonly supported: false; readonly reason: string };

/**
 * Moves the calling thread between its own priority and the burst one as the backlog it is told
 * changes. Raising the nice value is always allowed; lowering it back needs `CAP_SYS_NICE` (root,
 * outside containers that drop it) or an `RLIMIT_NICE` that allows it, so the constructor probes it
 * (one step up and back down) and, where the thread could not come back, never enters burst mode: a
 * thread stuck at low priority would cost real-time latency for good.
 * @example const burst = new BurstPriority(DEFAULT_BURST_POLICY); burst.observe(12_000); // true: now in burst mode
 */
export class BurstPriority {
  readonly support: BurstSupport;
  private state = CALM;
  private readonly base: number;

  constructor(
    private readonly policy: BurstPolicy,
    private readonly clock: () => number = Date.now,
  ) {
    this.support = probe(policy);
    this.base = this.support.supported ? getPriority(this.support.tid) : 0;
  }

  get inBurst(): boolean {
    return this.state.burst;
  }

  /** Tells the backlog after a batch; returns whether the thread's priority changed. */
  observe(backlog: number): boolean {
    if (!this.support.supported) return false;
    const next = nextBurst(this.state, backlog, this.clock(), this.policy);
    if (next.burst === this.state.burst) {
      this.state = next;
      return false;
    }
    const nice = next.burst ? Math.max(this.base, this.policy.nice) : this.base;
    if (!trySetThreadPriority(this.support.tid, nice)) return false;
    this.state = next;
    return true;
  }
}

function probe(policy: BurstPolicy): BurstSupport {
  if (policy.nice <= 0) return { supported: false, reason: 'burst priority is off (nice 0)' };
  const tid = currentThreadId();
  if (tid === undefined) return { supported: false, reason: 'thread priorities are Linux-only here' };
  const base = getPriority(tid);
  if (base >= policy.nice) return { supported: false, reason: `the thread already runs at nice ${base}` };
  if (!trySetThreadPriority(tid, base + 1))
    return { supported: false, reason: 'the kernel refused a lower priority' };
  if (!trySetThreadPriority(tid, base))
    return { supported: false, reason: 'the thread may not raise its priority back (no CAP_SYS_NICE)' };
  return { supported: true, tid };
}
