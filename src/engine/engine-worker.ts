/**
 * The engine's worker thread: its own connection to the store and a `ProfileEngine`, so that applying
 * the inbox to profiles runs on a second core while the main thread answers HTTP. The main thread
 * drives it through `WorkerEngine`; see `engine-worker-protocol.ts` for the messages.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { EpochMs } from '../core/brand.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { lowerThreadPriority } from '../store/thread-priority.js';
import { BurstPriority, DEFAULT_BURST_POLICY } from './burst-priority.js';
import type { EngineWorkerData, FromWorker, ToWorker } from './engine-worker-protocol.js';
import { createProfileId } from './ids.js';
import { ProfileEngine } from './profile-engine.js';

const port = parentPort;
if (!port) throw new Error('engine-worker.ts runs as a worker thread');
const data = workerData as EngineWorkerData;
const post = (message: FromWorker): void => port.postMessage(message);

// Before the store opens, so that the checkpoint thread it starts inherits the lower priority.
lowerThreadPriority(data.nice ?? 0);
// After it: burst mode moves this thread alone, and only between its own priority and the burst one.
const burst = new BurstPriority({
  ...DEFAULT_BURST_POLICY,
  nice: data.burstNice ?? DEFAULT_BURST_POLICY.nice,
});
/** The durable end of the inbox, as the main thread's store raises it; the backlog is it less what was applied. */
const fence = data.inboxFence && new BigInt64Array(data.inboxFence, 0, 1);

// The worker is the one writer of profiles, so its store may remember them between batches.
// It commits without an fsync each time: the inbox keeps what it consumed until a checkpoint makes it durable.
const store = openSqliteStore({
  path: data.dbPath,
  synchronous: data.synchronous,
  engineSynchronous: 'normal',
  cacheProfiles: 300_000,
  // Checkpoints copy and sync what the engine wrote; on their own thread the engine never waits for them.
  checkpointThread: true,
  ...(data.inboxFence ? { inboxFence: { buffer: data.inboxFence, role: 'read' as const } } : {}),
});
const engine = new ProfileEngine({
  store,
  clock: () => Date.now() as EpochMs,
  mergeOnEmail: data.mergeOnEmail,
  newProfileId: () => createProfileId(),
  ...(data.pollMs === undefined ? {} : { pollMs: data.pollMs }),
  onProgress: (seq) => {
    post({ t: 'progress', seq });
    if (!fence) return;
    const backlog = Number(Atomics.load(fence, 0)) - seq;
    if (burst.observe(backlog)) post({ t: 'burst', on: burst.inBurst, backlog });
  },
  onError: (error) =>
    post({ t: 'failed', error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
});
/** Releases of the exclusive lanes the main thread holds, by request id. */
const held = new Map<number, () => void>();

async function handle(message: Exclude<ToWorker, { t: 'kick' }>): Promise<void> {
  switch (message.t) {
    case 'start':
      return engine.start();
    case 'pause':
      // Enter the lane, answer, and hold it until the main thread says `resume`.
      return new Promise<void>((entered) => {
        void engine.exclusive(
          () =>
            new Promise<void>((release) => {
              held.set(message.id, release);
              entered();
            }),
        );
      });
    case 'resume':
      // The job ran on the main thread's connection and may have written profiles.
      store.invalidateCache?.();
      held.get(message.id)?.();
      held.delete(message.id);
      return;
    case 'reload':
      return engine.exclusive(async () => {
        store.invalidateCache?.();
        await engine.reloadSegments();
      });
    case 'drain':
      return engine.drain();
    case 'stop':
      await engine.stop();
      await store.close();
      return;
  }
}

port.on('message', (message: ToWorker) => {
  if (message.t === 'kick') return engine.kick(message.urgent);
  handle(message).then(
    () => {
      post({ t: 'done', id: message.id });
      if (message.t === 'stop') port.close();
    },
    (error: unknown) => post({ t: 'done', id: message.id, error: String(error) }),
  );
});
