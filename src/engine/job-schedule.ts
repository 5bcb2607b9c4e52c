import type { EpochMs } from '../core/brand.js';
import type { Store } from '../store/store.js';

export interface JobScheduleOptions {
  /** Names the setting that remembers the last run (`job_last_run:<name>`). */
  readonly name: string;
  /** Interval between runs; 0 or less: never run on a schedule. */
  readonly everyMs: number;
  readonly store: Store;
  readonly clock: () => EpochMs;
  readonly run: () => Promise<unknown>;
  /** Reports a failed run (the schedule goes on); defaults to console.error. */
  readonly onError?: (error: unknown) => void;
}

/**
 * Runs a job every `everyMs`, counted from its last run as recorded in the store, so that restarts
 * neither skip nor repeat it. A store that never ran the job counts from the first start: a fresh
 * server does not run a daily job in its first minute.
 * @example const s = new JobSchedule({ name: 'rfm', everyMs: 86_400_000, store, clock, run }); await s.start();
 */
export class JobSchedule {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: JobScheduleOptions) {}

  private get setting(): string {
    return `job_last_run:${this.options.name}`;
  }

  async start(): Promise<void> {
    const { everyMs, store, clock } = this.options;
    if (everyMs <= 0) return;
    this.stopped = false;
    let last = Number(await store.getSetting(this.setting));
    if (!Number.isFinite(last) || last <= 0) {
      last = clock();
      await store.setSetting(this.setting, String(last));
    }
    this.arm(Math.max(0, last + everyMs - clock()));
  }

  /** Stops the schedule and waits for a run under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.current;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    // setTimeout takes at most 2^31-1 ms (24.8 days); longer waits re-arm on the way.
    const wait = Math.min(delayMs, 2 ** 31 - 1);
    this.timer = setTimeout(() => {
      if (wait < delayMs) this.arm(delayMs - wait);
      else this.current = this.tick();
    }, wait);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    const { store, clock, run, everyMs } = this.options;
    try {
      await run();
      await store.setSetting(this.setting, String(clock()));
    } catch (error) {
      (this.options.onError ?? console.error)(error);
    }
    this.arm(everyMs);
  }
}
