/**
 * Node flags for a worker thread: the parent's, less its `--import` preloads (each worker's entry
 * registers tsx itself, and a benchmark's preloads are meant for the main thread).
 * @example new Worker(url, { execArgv: withoutPreloads(process.execArgv) });
 */
export function withoutPreloads(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--import') i++;
    else if (!argv[i]!.startsWith('--import=')) out.push(argv[i]!);
  }
  return out;
}
