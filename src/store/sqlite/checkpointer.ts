import { Worker } from 'node:worker_threads';
import { WriterGate } from './writer-gate.js';

/** What the checkpoint thread is started with. */
export interface CheckpointWorkerData {
  readonly statePath: string;
  readonly inboxPath: string;
  readonly everyMs: number;
  /** Record the durable inbox cursor after a complete checkpoint (the engine commits with NORMAL). */
  readonly recordDurable: boolean;
  /** The buffer of the `WriterGate` shared with the engine's store (the state file's RESTART goes through it). */
  readonly gate?: SharedArrayBuffer;
}

/** What the checkpoint thread reports after each round. */
export type CheckpointReport =
  | { readonly t: 'round'; readonly complete: boolean; readonly ms: number }
  | { readonly t: 'failed'; readonly error: string };

/**
 * Checkpoints the state and inbox files on a thread of their own. A PASSIVE checkpoint copies WAL
 * frames into the database file and syncs it while writers go on appending to the WAL, so on its
 * own connection it costs the engine nothing; on the engine's thread it stopped the engine for
 * 100–600 ms every 2 s at 5,000 events/s (measured with `bench/segments-realtime.ts`).
 * @example const c = new Checkpointer({ statePath, inboxPath, everyMs: 2000, recordDurable: true }); await c.close();
 */
export class Checkpointer {
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private rounds: ((report: CheckpointReport) => void)[] = [];
  /** Through which the store's write transactions and this thread's RESTARTs of the state file take turns. */
  readonly gate = new WriterGate();

  constructor(data: CheckpointWorkerData, onReport?: (report: CheckpointReport) => void) {
    this.worker = new Worker(new URL('./checkpoint-worker-entry.mjs', import.meta.url), {
      workerData: { ...data, gate: this.gate.buffer } satisfies CheckpointWorkerData,
    });
    this.worker.unref();
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.on('message', (report: CheckpointReport) => {
      if (report.t === 'failed') console.error(`checkpoint failed: ${report.error}`);
      onReport?.(report);
      const waiting = this.rounds;
      this.rounds = [];
      for (const w of waiting) w(report);
    });
    this.worker.on('error', (error) => console.error('checkpoint thread failed', error));
  }

  /** Runs a round now and resolves with its report (tests). */
  now(): Promise<CheckpointReport> {
    this.worker.ref();
    return new Promise((resolve) => {
      this.rounds.push((report) => {
        this.worker.unref();
        resolve(report);
      });
      this.worker.postMessage({ t: 'now' });
    });
  }

  /** A last round, then the thread ends. */
  async close(): Promise<void> {
    this.worker.ref();
    this.worker.postMessage({ t: 'stop' });
    await this.exited;
  }
}
