import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/**
 * Lowers the calling thread's CPU priority to `nice` (0–19), for the background threads (the engine,
 * checkpoints) so that on a machine with few cores the HTTP thread is scheduled first: a burst is
 * acknowledged at full speed and applied right after, instead of each slowing the other. On Linux
 * the nice value belongs to a thread, named by its id under `/proc/thread-self`; elsewhere (or with
 * `nice` 0) nothing changes. Returns the thread id whose priority was set, if any.
 * @example lowerThreadPriority(10); // in a worker thread, first thing
 */
export function lowerThreadPriority(nice: number): number | undefined {
  if (nice <= 0 || process.platform !== 'linux') return undefined;
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (!Number.isInteger(tid) || tid <= 0) return undefined;
    setPriority(tid, Math.min(19, Math.floor(nice)));
    return tid;
  } catch {
    // A sandbox without /proc, or a kernel that refuses: the thread keeps its priority.
    return undefined;
  }
}
