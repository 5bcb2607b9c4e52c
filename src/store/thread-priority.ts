import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * The calling thread's kernel id, on Linux (where a nice value belongs to a thread, named by its id
 * under `/proc/thread-self`); elsewhere, or in a sandbox without `/proc`, undefined.
 */
export function currentThreadId(): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) && tid > 0 ? tid : undefined;
  } catch {
    return undefined;
  }
}

/** Sets thread `tid`'s nice value (clamped to 0–19); false where the kernel refuses. */
export function trySetThreadPriority(tid: number, nice: number): boolean {
  try {
    setPriority(tid, Math.max(0, Math.min(19, Math.floor(nice))));
    return true;
  } catch {
    return false;
  }
}

/**
 * Lowers the calling thread's CPU priority to `nice` (0–19), for the background threads (the engine,
 * checkpoints) so that on a machine with few cores the HTTP thread is scheduled first: a burst is
 * acknowledged at full speed and applied right after, instead of each slowing the other. On Linux
 * the nice value belongs to a thread; elsewhere (or with `nice` 0) nothing changes. Returns the
 * thread id whose priority was set, if any.
 * @example lowerThreadPriority(10); // in a worker thread, first thing
 */
export function lowerThreadPriority(nice: number): number | undefined {
  if (nice <= 0) return undefined;
  const tid = currentThreadId();
  if (tid === undefined) return undefined;
  return trySetThreadPriority(tid, nice) ? tid : undefined;
}

/**
 * Whether this process holds `CAP_SYS_NICE` (bit 23 of its effective set, Linux), which lets a
 * thread take back a priority it gave up; false elsewhere.
 */
export function holdsSysNice(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const line = readFileSync('/proc/self/status', 'utf8').match(/^CapEff:\s*([0-9a-f]+)$/m);
    return line !== null && (BigInt(`0x${line[1]}`) & (1n << 23n)) !== 0n;
  } catch {
    return false;
  }
}
