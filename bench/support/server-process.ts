/**
 * Servers under test run as child processes, so that they never share a thread with the load
 * generator. The child prints its URL on stdout; we wait for it, then read CPU time and memory from
 * `/proc/<pid>` while it runs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SQL_TIMING_FILE } from './server-profile.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ); 100 on every Linux we run on. */
const CLOCK_TICKS = 100;

export interface ServerProcess {
  readonly label: string;
  readonly url: string;
  readonly pid: number;
  /** CPU time (user + system) the process has used so far, in seconds. */
  cpuSeconds(): number;
  /** The same for its main thread alone (Orkestra's HTTP thread). */
  mainThreadCpuSeconds(): number;
  /** Resident set size now and its peak (VmHWM), in bytes. */
  memory(): { readonly rss: number; readonly peak: number };
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly label: string;
  readonly args: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Extra flags for node itself (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** utime + stime of a `/proc/.../stat` line, in seconds: the 12th and 13th fields after the command name (which may hold spaces). */
function statCpuSeconds(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

function statusKb(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Starts `node <nodeArgs> <args>` in the repository root and resolves once it has printed its URL. */
export function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...options.args], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => live.delete(child));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (text: string) => {
    for (const line of text.split('\n')) if (line.trim()) console.error(`  [${options.label}] ${line}`);
  });
  return new Promise((resolve, reject) => {
    let output = '';
    const timeout = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${options.label} did not print its URL within 30 s:\n${output}`));
    }, 30_000);
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`${options.label} exited with code ${code} before it was ready:\n${output}`));
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      if (output.length < 10_000) output += text;
      const url = /http:\/\/127\.0\.0\.1:\d+/.exec(output)?.[0];
      if (url === undefined || child.pid === undefined) return;
      clearTimeout(timeout);
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      const pid = child.pid;
      resolve({
        label: options.label,
        url,
        pid,
        cpuSeconds: () => statCpuSeconds(readProc(pid, 'stat')),
        mainThreadCpuSeconds: () => statCpuSeconds(readProc(pid, `task/${pid}/stat`)),
        memory() {
          const status = readProc(pid, 'status');
          return { rss: statusKb(status, 'VmRSS'), peak: statusKb(status, 'VmHWM') };
        },
        async stop(graceMs = 15_000) {
          if (child.exitCode !== null || child.signalCode !== null) return;
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
          await exited;
          clearTimeout(timer);
        },
      });
    });
  });
}

/** Orkestra as users run it: `bin/orkestra.js serve`, on 127.0.0.1, on a free port. */
export function startOrkestra(options: {
  readonly dataDir: string;
  readonly writeKey: string;
  readonly adminKey: string;
  /** Profile the child: a CPU profile (`--cpu-prof`) and SQL statement times go to this directory. */
  readonly profileDir?: string | undefined;
}): Promise<ServerProcess> {
  const profile = options.profileDir;
  return spawnServer({
    label: 'orkestra',
    args: [
      'bin/orkestra.js',
      'serve',
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--data-dir',
      options.dataDir,
      '--no-demo',
    ],
    env: {
      ORKESTRA_WRITE_KEY: options.writeKey,
      ORKESTRA_ADMIN_KEY: options.adminKey,
      // High enough never to refuse a benchmark request: we measure the server, not its limiter.
      ORKESTRA_RATE_LIMIT: '1000000000',
      ...(process.env.BENCH_SYNC ? { ORKESTRA_SYNC: process.env.BENCH_SYNC } : {}),
      ...(profile ? { ORKESTRA_BENCH_SQL_TIMING: join(profile, SQL_TIMING_FILE) } : {}),
    },
    nodeArgs: [
      // Node flags for an experiment (say `--max-semi-space-size=64`), split at spaces.
      ...(process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
      ...(profile
        ? [
            ...['--cpu-prof', '--cpu-prof-dir', profile],
            ...['--import', 'tsx', '--import', './bench/support/sql-timing.ts'],
          ]
        : []),
    ],
  });
}

/** The baseline: bare Fastify that parses the JSON body and answers 200 (see `baseline-server.ts`). */
export function startBaseline(): Promise<ServerProcess> {
  return spawnServer({
    label: 'baseline',
    nodeArgs: ['--import', 'tsx'],
    args: [join('bench', 'support', 'baseline-server.ts')],
  });
}
