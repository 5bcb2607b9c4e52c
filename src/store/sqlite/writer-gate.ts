/** Cells of the shared buffer: 1 while the engine is inside a write transaction / a RESTART runs. */
const WRITING = 0;
const RESTARTING = 1;
/** Neither side waits longer than this for the other, in all: SQLite's own locks stay the authority. */
const MAX_WAIT_MS = 2000;

/**
 * Keeps the engine's write transactions and the checkpoint thread's RESTART checkpoints out of each
 * other's way, through `Atomics` on a buffer both threads share.
 *
 * A RESTART holds the state file's write lock while it copies the WAL's last frames, syncs the
 * database file and waits for readers: 10–70 ms, every round. An engine commit that met it waited
 * in SQLite's busy handler, which sleeps 1, 2, 5, 10, 15, 20, 25… ms between tries and so overshot
 * the lock's release by up to half again. Traced at 5,000 events/s: every 500 ms, a batch of 50–100
 * events took 30–45 ms to commit instead of 5–10.
 *
 * With the gate, a RESTART starts as soon as a commit in progress ends, and so overlaps the engine's
 * next batch while that batch is read and evaluated (no lock needed); a commit that finds a RESTART
 * running sleeps on the buffer and is woken the moment it ends.
 *
 * Correctness never depends on the gate: both sides still take SQLite's locks, and every wait is
 * bounded, so a thread that died holding its cell delays the other by `maxWaitMs` at most.
 * @example const gate = new WriterGate(); gate.write(() => tx()); // engine; checkpoint: gate.restart(() => …)
 */
export class WriterGate {
  private readonly cells: Int32Array;

  constructor(
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(8),
    private readonly maxWaitMs = MAX_WAIT_MS,
  ) {
    this.cells = new Int32Array(buffer);
  }

  /** Runs the engine's write transaction `fn`, after any RESTART running has ended. */
  write<T>(fn: () => T): T {
    const { cells } = this;
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      Atomics.store(cells, WRITING, 1);
      if (Atomics.load(cells, RESTARTING) === 0) break;
      // A RESTART is on: step back (it may be waiting for us) and sleep until it ends.
      Atomics.store(cells, WRITING, 0);
      Atomics.notify(cells, WRITING);
      const left = deadline - Date.now();
      if (left <= 0) {
        Atomics.store(cells, WRITING, 1);
        break;
      }
      Atomics.wait(cells, RESTARTING, 1, left);
    }
    try {
      return fn();
    } finally {
      Atomics.store(cells, WRITING, 0);
      Atomics.notify(cells, WRITING);
    }
  }

  /** Runs the checkpoint thread's RESTART `fn` as soon as no engine commit is in progress. */
  restart<T>(fn: () => T): T {
    const { cells } = this;
    Atomics.store(cells, RESTARTING, 1);
    const deadline = Date.now() + this.maxWaitMs;
    for (;;) {
      const left = deadline - Date.now();
      if (Atomics.load(cells, WRITING) === 0 || left <= 0) break;
      Atomics.wait(cells, WRITING, 1, left);
    }
    try {
      return fn();
    } finally {
      Atomics.store(cells, RESTARTING, 0);
      Atomics.notify(cells, RESTARTING);
    }
  }
}
