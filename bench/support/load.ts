/**
 * Load generators for the ingest benchmark, both in this process (the server is a child process):
 * autocannon for throughput and its `overallRate` for a fixed rate, and a paced open-loop client that
 * sends at evenly spaced instants and measures latency from the instant each request was due.
 */
import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { quantile } from './report.js';
import type { ServerProcess } from './server-process.js';

export interface LoadOptions {
  readonly server: ServerProcess;
  readonly path: string;
  readonly seconds: number;
  /** A fresh body for every request (unique `messageId`s). */
  readonly body: () => string;
  readonly headers: Readonly<Record<string, string>>;
}

export interface LoadResult {
  /** Requests answered 2xx per second of the run. */
  readonly okPerSecond: number;
  readonly ok: number;
  /** Non-2xx answers, connection errors and timeouts. */
  readonly failed: number;
  /** Acknowledgement latency, milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU the server used during the run, in % of one core. */
  readonly serverCpuPercent: number;
  /** Of it, its main (HTTP) thread's. */
  readonly serverMainCpuPercent: number;
  /** CPU this process (the load generator) used during the run, in % of one core. */
  readonly clientCpuPercent: number;
  readonly seconds: number;
}

function summarise(
  latencies: number[],
  counts: { ok: number; failed: number },
  usage: { cpu: number; mainCpu: number; wall: number; client: NodeJS.CpuUsage },
): LoadResult {
  latencies.sort((a, b) => a - b);
  const seconds = usage.wall / 1000;
  return {
    okPerSecond: counts.ok / seconds,
    ok: counts.ok,
    failed: counts.failed,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    serverCpuPercent: (100 * usage.cpu) / seconds,
    serverMainCpuPercent: (100 * usage.mainCpu) / seconds,
    clientCpuPercent: (usage.client.user + usage.client.system) / 1e4 / seconds,
    seconds,
  };
}

/**
 * One autocannon run. Latencies come from autocannon's per-response event (sub-millisecond precision;
 * its histogram rounds to whole milliseconds). With `overallRate`, autocannon's coordinated-omission
 * correction is switched off: it assumes a 1 ms interval whatever the rate (`Math.ceil(1 / rate)`),
 * which would add made-up samples to every response slower than 1 ms.
 */
export function runAutocannon(
  options: LoadOptions & { readonly connections: number; readonly overallRate?: number },
): Promise<LoadResult> {
  const latencies: number[] = [];
  const counts = { ok: 0, failed: 0 };
  const cpuBefore = options.server.cpuSeconds();
  const mainCpuBefore = options.server.mainThreadCpuSeconds();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: `${options.server.url}${options.path}`,
        connections: options.connections,
        duration: options.seconds,
        ...(options.overallRate ? { overallRate: options.overallRate, ignoreCoordinatedOmission: true } : {}),
        requests: [
          {
            method: 'POST',
            headers: { ...options.headers },
            setupRequest: (req) => ({ ...req, body: options.body() }),
          },
        ],
      },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        counts.failed += result.errors + result.non2xx;
        const wall = performance.now() - started;
        resolve(
          summarise(latencies, counts, {
            cpu: options.server.cpuSeconds() - cpuBefore,
            mainCpu: options.server.mainThreadCpuSeconds() - mainCpuBefore,
            wall,
            client: process.cpuUsage(clientBefore),
          }),
        );
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
      if (status >= 200 && status < 300) {
        counts.ok++;
        latencies.push(ms);
      }
    });
  });
}

/**
 * Open loop at a fixed rate: request i is due at `start + i / rate`, whether or not earlier ones have
 * been answered, and its latency runs from that instant. A server that falls behind shows it in the
 * latencies instead of quietly receiving fewer requests (coordinated omission).
 */
export function runPaced(options: LoadOptions & { readonly rate: number }): Promise<LoadResult> {
  const target = new URL(options.server.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.round(options.rate * options.seconds);
  const latencies: number[] = [];
  const counts = { ok: 0, failed: 0 };
  const cpuBefore = options.server.cpuSeconds();
  const mainCpuBefore = options.server.mainThreadCpuSeconds();
  const clientBefore = process.cpuUsage();
  const start = performance.now();
  let sent = 0;
  let settled = 0;
  return new Promise((resolve) => {
    const finish = (): void => {
      agent.destroy();
      const wall = performance.now() - start;
      resolve(
        summarise(latencies, counts, {
          cpu: options.server.cpuSeconds() - cpuBefore,
          mainCpu: options.server.mainThreadCpuSeconds() - mainCpuBefore,
          wall,
          client: process.cpuUsage(clientBefore),
        }),
      );
    };
    const settle = (due: number, ok: boolean, once: { done: boolean }): void => {
      if (once.done) return;
      once.done = true;
      if (ok) {
        counts.ok++;
        latencies.push(performance.now() - due);
      } else counts.failed++;
      if (++settled === total) finish();
    };
    const send = (due: number): void => {
      const body = options.body();
      const once = { done: false };
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          method: 'POST',
          path: options.path,
          headers: { ...options.headers, 'content-length': Buffer.byteLength(body) },
          timeout: 10_000,
        },
        (res) => {
          res.resume();
          res.once('end', () => settle(due, res.statusCode !== undefined && res.statusCode < 300, once));
        },
      );
      req.once('timeout', () => req.destroy(new Error('timeout')));
      req.once('error', () => settle(due, false, once));
      req.end(body);
    };
    const tick = (): void => {
      const due = Math.min(total, Math.floor(((performance.now() - start) * options.rate) / 1000));
      while (sent < due) send(start + (sent++ * 1000) / options.rate);
      if (sent < total) setTimeout(tick, 1);
    };
    tick();
  });
}
