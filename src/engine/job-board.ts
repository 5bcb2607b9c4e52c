import type { EpochMs } from '../core/brand.js';
import type { Store } from '../store/store.js';
import type { EngineHandle } from './profile-engine.js';

/** A long job as the API shows it: what it is, how far it has come, and how it ended. */
export interface JobView {
  readonly id: number;
  /** What runs: `segment:<id>` (a backfill), `segments:recompute`, `computed-traits`, `rfm`, `clv`. */
  readonly job: string;
  readonly state: 'running' | 'done' | 'failed';
  /** The step it is in (or ended in), and how far into it: `done` of `total` when the total is known. */
  readonly phase?: string;
  readonly done?: number;
  readonly total?: number;
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly finishedAt?: string;
  readonly ms?: number;
  readonly error?: string;
}

/** A step of long work, as services report it (`onProgress`). */
export interface Progress {
  readonly job: string;
  readonly phase: string;
  readonly done: number;
  readonly total?: number;
}

/**
 * What a job over the whole population needs: the store, the engine (whose exclusive lane it holds),
 * the clock, and where it reports.
 */
export interface PopulationJobOptions {
  readonly store: Store;
  readonly engine: EngineHandle;
  readonly clock: () => EpochMs;
  /** Called as long work advances: a phase name, done and total (when known). */
  readonly onProgress?: (p: Progress) => void;
  /** Where the job is listed while it runs (`GET /api/jobs`). */
  readonly jobs?: JobBoard;
}

/** How a running job reports: the step it is in, and how far into it (of `total`, when known). */
export type ReportProgress = (phase: string, done: number, total?: number) => void;

interface Entry {
  id: number;
  job: string;
  state: JobView['state'];
  phase?: string;
  done?: number;
  total?: number;
  startedAt: EpochMs;
  updatedAt: EpochMs;
  finishedAt?: EpochMs;
  error?: string;
}

const iso = (t: number) => new Date(t).toISOString();

/**
 * The long jobs of this server (backfills, recomputes, rebuilds, model refits): those running, with
 * their phase and progress, and the last ones finished. Kept in memory: it answers "what is it doing
 * and how far has it got", while a request that started a job is still waiting for its answer.
 * @example await jobs.run('rfm', (report) => rfm.recompute(report)); jobs.list().recent[0].state // 'done'
 */
export class JobBoard {
  private nextId = 1;
  private readonly running = new Map<number, Entry>();
  private readonly finished: Entry[] = [];

  constructor(
    private readonly clock: () => EpochMs,
    /** Finished jobs kept. */
    private readonly keep = 20,
  ) {}

  /** Runs `work` as the job `job`, listed as running (with what it reports) until it ends. */
  async run<T>(job: string, work: (report: ReportProgress) => Promise<T>): Promise<T> {
    const now = this.clock();
    const entry: Entry = { id: this.nextId++, job, state: 'running', startedAt: now, updatedAt: now };
    this.running.set(entry.id, entry);
    const report: ReportProgress = (phase, done, total) => {
      entry.phase = phase;
      entry.done = done;
      if (total === undefined) delete entry.total;
      else entry.total = total;
      entry.updatedAt = this.clock();
    };
    try {
      const result = await work(report);
      this.end(entry, 'done');
      return result;
    } catch (error) {
      entry.error = error instanceof Error ? error.message : String(error);
      this.end(entry, 'failed');
      throw error;
    }
  }

  list(): { running: JobView[]; recent: JobView[] } {
    return {
      running: [...this.running.values()].map((e) => this.view(e)),
      recent: [...this.finished].reverse().map((e) => this.view(e)),
    };
  }

  private end(entry: Entry, state: 'done' | 'failed'): void {
    entry.state = state;
    entry.finishedAt = entry.updatedAt = this.clock();
    this.running.delete(entry.id);
    this.finished.push(entry);
    if (this.finished.length > this.keep) this.finished.shift();
  }

  private view(e: Entry): JobView {
    return {
      id: e.id,
      job: e.job,
      state: e.state,
      ...(e.phase !== undefined ? { phase: e.phase } : {}),
      ...(e.done !== undefined ? { done: e.done } : {}),
      ...(e.total !== undefined ? { total: e.total } : {}),
      startedAt: iso(e.startedAt),
      updatedAt: iso(e.updatedAt),
      ...(e.finishedAt !== undefined
        ? { finishedAt: iso(e.finishedAt), ms: e.finishedAt - e.startedAt }
        : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
    };
  }
}
