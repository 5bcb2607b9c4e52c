/**
 * A progress bar for long CLI jobs, on stderr: a redrawn bar on a terminal, plain lines (at most one
 * every few seconds) when stderr is a file or a pipe, so logs stay readable.
 */

export interface ProgressFigures {
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  /** What is counted, e.g. `rows`. */
  readonly unit: string;
}

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
}

/**
 * One status line: count, percentage, rate and time left.
 * @example formatProgress({ done: 500, total: 1000, elapsedMs: 2000, unit: 'rows' })
 * // '500/1,000 rows  50%  250 events/s  ETA 0:02'
 */
export function formatProgress(p: ProgressFigures): string {
  const share = p.total > 0 ? p.done / p.total : 1;
  const rate = p.elapsedMs > 0 ? (p.done * 1000) / p.elapsedMs : 0;
  const eta = rate > 0 ? clock(((p.total - p.done) / rate) * 1000) : '?';
  return `${grouped(p.done)}/${grouped(p.total)} ${p.unit}  ${Math.floor(share * 100)}%  ${grouped(rate)} events/s  ETA ${eta}`;
}

/** A bar of `width` cells for a share 0–1. */
export function formatBar(share: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, share)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export interface ProgressOutput {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export interface ProgressOptions {
  readonly total: number;
  readonly unit: string;
  readonly output: ProgressOutput;
  /** Milliseconds; injected for tests. */
  readonly clock?: () => number;
  /** Least time between two plain lines (default 2 s); a terminal redraws at most every 100 ms. */
  readonly lineEveryMs?: number;
}

/**
 * Reports progress as work advances.
 * @example const bar = new ProgressReporter({ total, unit: 'rows', output: process.stderr }); bar.add(500); bar.finish();
 */
export class ProgressReporter {
  private done = 0;
  private readonly started: number;
  private lastDraw = -Infinity;

  constructor(private readonly options: ProgressOptions) {
    this.started = this.now();
  }

  private now(): number {
    return (this.options.clock ?? Date.now)();
  }

  add(n: number): void {
    this.done += n;
    this.draw(false);
  }

  /** Draws the final state (and ends the terminal line). */
  finish(): void {
    this.draw(true);
  }

  private draw(final: boolean): void {
    const now = this.now();
    const tty = this.options.output.isTTY === true;
    const every = tty ? 100 : (this.options.lineEveryMs ?? 2000);
    if (!final && now - this.lastDraw < every) return;
    this.lastDraw = now;
    const { total, unit } = this.options;
    const line = formatProgress({ done: this.done, total, elapsedMs: now - this.started, unit });
    if (tty)
      this.options.output.write(
        `\r${formatBar(total > 0 ? this.done / total : 1)} ${line}\x1b[K${final ? '\n' : ''}`,
      );
    else this.options.output.write(`${line}\n`);
  }
}
