/**
 * Heap-size flags the main thread may be started with that a worker refuses (`ERR_WORKER_INVALID_EXEC_ARGV`):
 * a worker's heap is set by its `resourceLimits`.
 */
const HEAP_FLAGS =
  /^--(max[-_]semi[-_]space[-_]size|max[-_]old[-_]space[-_]size|max[-_]young[-_]generation[-_]size)(=|$)/;

/**
 * Node flags for a worker thread: the parent's, less its `--import` preloads (each worker's entry
 * registers tsx itself, and a benchmark's preloads are meant for the main thread) and its heap sizes.
 * @example new Worker(url, { execArgv: withoutPreloads(process.execArgv) });
 */
export function withoutPreloads(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--import') i++;
    else if (HEAP_FLAGS.test(arg)) {
      if (!arg.includes('=')) i++; // `--max-semi-space-size 64`
    } else if (!arg.startsWith('--import=')) out.push(arg);
  }
  return out;
}
