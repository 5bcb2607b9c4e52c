import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port that was free a moment ago on the loopback interface. */
export async function freeLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port from the loopback listener');
  return address.port;
}

export interface Health {
  readonly ok: boolean;
  readonly inboxDepth: number;
  readonly processedSeq: number;
}

/** GET /health, or undefined while nothing answers. */
export async function readHealth(url: string): Promise<Health | undefined> {
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? ((await res.json()) as Health) : undefined;
  } catch {
    return undefined;
  }
}

export interface ServerProcessOptions {
  readonly dataDir: string;
  readonly port: number;
  readonly writeKey: string;
  readonly adminKey: string;
}

/**
 * `orkestra serve` as a child process on 127.0.0.1, which the test can start, SIGKILL and start again
 * on the same data directory.
 * @example const server = new ServerProcess(opts); await server.start(); await server.kill();
 */
export class ServerProcess {
  readonly url: string;
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private output = '';
  /** How many processes were started. */
  starts = 0;
  /** Exits the test did not ask for (`code`/`signal`), e.g. a crash on start. */
  readonly unexpectedExits: string[] = [];
  private stopping = false;

  constructor(private readonly options: ServerProcessOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** The last few kilobytes the processes printed, for failure messages. */
  get recentOutput(): string {
    return this.output;
  }

  /** Spawns the process; `ready()` waits until it answers. */
  spawn(): void {
    if (this.child) throw new Error('the server is already running');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ORKESTRA_WRITE_KEY: this.options.writeKey,
      ORKESTRA_ADMIN_KEY: this.options.adminKey,
      ORKESTRA_HOST: '127.0.0.1',
    };
    delete env.NODE_TEST_CONTEXT; // we run a server, not a test file
    const { port, dataDir } = this.options;
    const child = spawn(
      process.execPath,
      ['bin/orkestra.js', 'serve', '--port', String(port), '--data-dir', dataDir, '--no-demo'],
      { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-4_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        if (!this.stopping) this.unexpectedExits.push(`exit code ${code}, signal ${signal}`);
        resolve();
      }),
    );
    void this.exited.then(() => {
      if (this.child === child) this.child = undefined;
    });
    this.child = child;
    this.stopping = false;
    this.starts++;
  }

  /** Polls /health until it answers; fails if the process dies or takes longer than `timeoutMs`. */
  async ready(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.child) throw new Error(`the server exited while starting:\n${this.output}`);
      if (await readHealth(this.url)) return;
      await sleep(25);
    }
    throw new Error(`the server did not answer /health within ${timeoutMs} ms:\n${this.output}`);
  }

  async start(): Promise<void> {
    this.spawn();
    await this.ready();
  }

  /** Sends `signal` and waits for the process to be gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    child.kill(signal);
    await this.exited;
  }

  /** SIGTERM (a clean shutdown), then SIGKILL if it takes more than `graceMs`. */
  async stop(graceMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.stopping = true;
    child.kill('SIGTERM');
    const gone = await Promise.race([this.exited.then(() => true), sleep(graceMs).then(() => false)]);
    if (!gone) await this.kill('SIGKILL');
  }
}
