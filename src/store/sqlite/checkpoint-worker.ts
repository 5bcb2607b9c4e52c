/**
 * The checkpoint thread: its own connections to the state and inbox files, checkpointing both every
 * `CHECKPOINT_EVERY_MS` (see `Checkpointer`). Copying pages and syncing the database file here means
 * the engine never stops for it.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { checkpointRound, durableFileOf } from './checkpoint-policy.js';
import type { CheckpointWorkerData } from './checkpointer.js';
import { WriterGate } from './writer-gate.js';

const port = parentPort;
if (!port) throw new Error('checkpoint-worker.ts runs as a worker thread');
const data = workerData as CheckpointWorkerData;

const open = (path: string) => {
  const db = new Database(path);
  // Any mode but OFF syncs the WAL before a checkpoint and the database file after a complete one.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -2048');
  db.pragma('wal_autocheckpoint = 0');
  return db;
};
const state = open(data.statePath);
const gate = data.gate ? new WriterGate(data.gate) : undefined;
const inbox = open(data.inboxPath);

const round = () => {
  try {
    const started = performance.now();
    const complete = checkpointRound(state, inbox, {
      recordDurable: data.recordDurable,
      durableFile: durableFileOf(data.statePath),
      ...(gate ? { restartState: <T>(run: () => T): T => gate.restart(run) } : {}),
    });
    port.postMessage({ t: 'round', complete, ms: performance.now() - started });
  } catch (error) {
    port.postMessage({ t: 'failed', error: error instanceof Error ? error.message : String(error) });
  }
};
const timer = setInterval(round, data.everyMs);
port.on('message', (message: { t: 'stop' } | { t: 'now' }) => {
  if (message.t === 'now') return round();
  clearInterval(timer);
  round();
  state.close();
  inbox.close();
  port.close();
});
