import { Worker } from 'node:worker_threads';
import { prepareSegments, type ActiveSegments } from '../core/segments/segment-step.js';
import type { Store } from '../store/store.js';
import type { EngineWorkerData, FromWorker, ToWorker } from './engine-worker-protocol.js';
import type { EngineHandle } from './profile-engine.js';
import { withoutPreloads } from '../store/worker-argv.js';

export interface WorkerEngineOptions {
  /** The main thread's own connection, for the segments the services read. */
  readonly store: Store;
  readonly workerData: EngineWorkerData;
  /** Reports the worker's failures; defaults to console.error. */
  readonly onError?: (error: string) => void;
  /** Told when the worker enters or leaves burst mode (`BurstPriority`), with the backlog it saw. */
  readonly onBurst?: (on: boolean, backlog: number) => void;
}

type Request = Exclude<ToWorker, { t: 'kick' }>['t'];

/**
 * The engine thread's young generation, in MB (V8's default is 16 MB semi-spaces, 48 in all). A batch
 * of 10,000 parsed messages lives for the whole batch, a few hundred ms: in the default young
 * generation it outlived two scavenges, was promoted and died in the old generation, and V8's
 * collector threads spent about 14 µs of CPU an event marking and compacting it. With 256 MB it dies
 * young. Measured in the pipeline benchmark (1,000,000 events, 2026-12-07, alternating runs): 21,208
 * events/s end to end at 73 µs of server CPU an event with the default, 23,318–23,782 at 67–69 with
 * 256 (the collector threads 14.4 → 10 s), peak RSS 879–919 MB; 512 gave no more and 1,135 MB.
 */
const ENGINE_YOUNG_GENERATION_MB = 256;

/**
 * The profile engine in a worker thread, behind the same `EngineHandle` as the in-thread engine. The
 * worker has its own store connection; ingest appends to the inbox file from this thread while the
 * worker applies it to the state file, each on its own core. `exclusive` pauses the worker for the
 * duration of a job run here (backfills, recomputes), so there is still one writer per profile.
 * @example const engine = new WorkerEngine({ store, workerData: { dbPath, synchronous: 'full', mergeOnEmail: true } });
 */
export class WorkerEngine implements EngineHandle {
  private worker: Worker | undefined;
  private processed = 0;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private waiters: { seq: number; resolve: () => void }[] = [];
  private tail: Promise<unknown> = Promise.resolve();
  private active: ActiveSegments = { definitions: [], matchers: [] };
  private stopping = false;
  private burst = false;

  constructor(private readonly options: WorkerEngineOptions) {}

  async start(): Promise<void> {
    const worker = new Worker(new URL('./engine-worker-entry.mjs', import.meta.url), {
      workerData: this.options.workerData,
      execArgv: withoutPreloads(process.execArgv),
      resourceLimits: { maxYoungGenerationSizeMb: ENGINE_YOUNG_GENERATION_MB },
    });
    this.worker = worker;
    worker.on('message', (message: FromWorker) => this.receive(message));
    worker.on('error', (error) => this.report(error.stack ?? error.message));
    worker.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`engine worker exited (${code})`));
      this.pending.clear();
      if (this.stopping || this.worker !== worker) return;
      // The worker died of an error it could not handle: what it had not committed is still in the
      // inbox, so a new worker simply carries on from the committed cursor.
      this.report(`engine worker exited with code ${code}; restarting it in 1 s`);
      setTimeout(() => void this.start().catch((e: unknown) => this.report(String(e))), 1000).unref();
    });
    await this.loadSegments();
    await this.request('start');
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.stopping = true;
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    await this.request('stop').catch(() => undefined);
    await exited;
    this.worker = undefined;
  }

  kick(urgent = false): void {
    this.worker?.postMessage({ t: 'kick', ...(urgent ? { urgent } : {}) } satisfies ToWorker);
  }

  waitFor(seq: number): Promise<void> {
    if (seq <= this.processed) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.kick();
    });
  }

  get lastProcessedSeq(): number {
    return this.processed;
  }

  get segments(): ActiveSegments {
    return this.active;
  }

  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const run = async (): Promise<T> => {
      const id = await this.request('pause');
      try {
        return await job();
      } finally {
        this.worker?.postMessage({ t: 'resume', id } satisfies ToWorker);
      }
    };
    const next = this.tail.then(run);
    this.tail = next.catch(() => undefined);
    return next;
  }

  async reloadSegments(): Promise<void> {
    await this.loadSegments();
    await this.request('reload');
  }

  async drain(): Promise<void> {
    await this.request('drain');
  }

  private async loadSegments(): Promise<void> {
    const stored = await this.options.store.listSegments();
    const prepared = prepareSegments(stored.map((s) => s.definition));
    if (!prepared.ok) throw new Error(prepared.error);
    this.active = prepared.value;
  }

  /** Sends a request and resolves with its id once the worker has done it. */
  private request(t: Request): Promise<number> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('the engine worker is not running'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: () => resolve(id), reject });
      worker.postMessage({ t, id } satisfies ToWorker);
    });
  }

  private receive(message: FromWorker): void {
    switch (message.t) {
      case 'progress': {
        this.processed = Math.max(this.processed, message.seq);
        if (this.waiters.length === 0) return;
        const done = this.waiters.filter((w) => w.seq <= this.processed);
        this.waiters = this.waiters.filter((w) => w.seq > this.processed);
        for (const w of done) w.resolve();
        return;
      }
      case 'done': {
        const p = this.pending.get(message.id);
        this.pending.delete(message.id);
        if (message.error === undefined) p?.resolve();
        else p?.reject(new Error(message.error));
        return;
      }
      case 'failed':
        return this.report(message.error);
      case 'burst':
        this.burst = message.on;
        return this.options.onBurst?.(message.on, message.backlog);
    }
  }

  /** Whether the worker is in burst mode: far behind ingest, at a lower priority until it catches up. */
  get inBurst(): boolean {
    return this.burst;
  }

  private report(error: string): void {
    (this.options.onError ?? console.error)(error);
  }
}
