import type { Command } from 'commander';
import { z } from 'zod';
import { resolve } from 'node:path';
import { loadDemo } from './demo-loader.js';
import { DEFAULT_CONFIG, startRuntime, type Runtime, type RuntimeConfig } from './runtime.js';

function intFrom(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return n;
}

function numberFrom(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a number ≥ 0, got "${value}"`);
  return n;
}

const HOUR_MS = 3_600_000;
const hours = (h: number | undefined): number | undefined => (h === undefined ? undefined : h * HOUR_MS);
const optional = <K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> =>
  value === undefined ? {} : ({ [key]: value } as Record<K, number>);

const ratesSchema = z.record(z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code'), z.number().positive());

/** `ORKESTRA_CURRENCY_RATES`: a JSON object of ISO 4217 code → value in the reporting currency. */
function ratesFrom(value: string): Record<string, number> {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new Error('ORKESTRA_CURRENCY_RATES must be JSON, e.g. {"USD":1,"EUR":1.08}');
  }
  const parsed = ratesSchema.safeParse(json);
  if (!parsed.success) throw new Error(`ORKESTRA_CURRENCY_RATES: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** Configuration from flags, then environment, then defaults. */
export function configFrom(
  flags: { port?: string; dataDir?: string; host?: string },
  env: NodeJS.ProcessEnv,
): RuntimeConfig {
  const rate = intFrom(env.ORKESTRA_RATE_LIMIT, 'ORKESTRA_RATE_LIMIT');
  return {
    ...DEFAULT_CONFIG,
    port: intFrom(flags.port, '--port') ?? intFrom(env.ORKESTRA_PORT, 'ORKESTRA_PORT') ?? 3000,
    host: flags.host ?? env.ORKESTRA_HOST ?? DEFAULT_CONFIG.host,
    dataDir: resolve(flags.dataDir ?? env.ORKESTRA_DATA_DIR ?? '.orkestra'),
    writeKey: env.ORKESTRA_WRITE_KEY || undefined,
    adminKey: env.ORKESTRA_ADMIN_KEY || undefined,
    inboxSecret: env.ORKESTRA_INBOX_SECRET || undefined,
    dedupeWindowDays:
      intFrom(env.ORKESTRA_DEDUPE_DAYS, 'ORKESTRA_DEDUPE_DAYS') ?? DEFAULT_CONFIG.dedupeWindowDays,
    mergeOnEmail: env.ORKESTRA_MERGE_ON_EMAIL !== 'false',
    rateLimit: rate ? { perSecond: rate, burst: rate * 5 } : DEFAULT_CONFIG.rateLimit,
    synchronous: env.ORKESTRA_SYNC === 'normal' ? 'normal' : 'full',
    engineThread: env.ORKESTRA_ENGINE_THREAD === 'inline' ? 'inline' : 'worker',
    logger: env.ORKESTRA_LOG === 'true',
    ...optional('backgroundNice', intFrom(env.ORKESTRA_BACKGROUND_NICE, 'ORKESTRA_BACKGROUND_NICE')),
    ...optional('burstNice', intFrom(env.ORKESTRA_BURST_NICE, 'ORKESTRA_BURST_NICE')),
    ...optional('rfmEveryMs', hours(numberFrom(env.ORKESTRA_RFM_EVERY_HOURS, 'ORKESTRA_RFM_EVERY_HOURS'))),
    ...optional('clvEveryMs', hours(numberFrom(env.ORKESTRA_CLV_EVERY_HOURS, 'ORKESTRA_CLV_EVERY_HOURS'))),
    ...optional('clvHorizonWeeks', numberFrom(env.ORKESTRA_CLV_HORIZON_WEEKS, 'ORKESTRA_CLV_HORIZON_WEEKS')),
    ...optional('clvDiscountRate', numberFrom(env.ORKESTRA_CLV_DISCOUNT_RATE, 'ORKESTRA_CLV_DISCOUNT_RATE')),
    ...(env.ORKESTRA_CURRENCY_RATES ? { currencyRates: ratesFrom(env.ORKESTRA_CURRENCY_RATES) } : {}),
  };
}

/** Loads the demo shop into an empty instance, with a progress line, and prints what it holds. */
async function announceDemo(runtime: Runtime): Promise<void> {
  const tty = process.stderr.isTTY;
  let shown = -1;
  const loaded = await loadDemo(runtime, {
    seed: 1,
    now: Date.now(),
    progress: (done, total) => {
      const percent = Math.floor((done / total) * 100);
      // A terminal gets a live line; a log gets a line per quarter.
      const step = tty ? percent : Math.floor(percent / 25);
      if (step === shown) return;
      shown = step;
      process.stderr.write(
        `${tty ? '\r' : ''}loading the demo shop: ${done}/${total} messages (${percent}%)${tty ? '' : '\n'}`,
      );
    },
  });
  if (!loaded) return;
  if (tty) process.stderr.write('\n');
  const { summary: s } = loaded;
  const revenue = Object.entries(s.revenue)
    .map(([currency, amount]) => `${currency} ${Math.round(amount).toLocaleString('en')}`)
    .join(', ');
  const lines = [
    `Demo shop loaded in ${loaded.seconds.toFixed(1)} s: ${s.customers} people (${s.known} known), ${s.orders} orders (${revenue}), ${s.messages} messages, ${s.products} products`,
    ...loaded.segments.map((g) => `  segment ${g.id.padEnd(20)} ${String(g.members).padStart(5)}  ${g.name}`),
    `  RFM: ${Object.entries(loaded.rfm.groups)
      .filter(([, n]) => n > 0)
      .map(([group, n]) => `${group} ${n}`)
      .join(', ')}`,
    loaded.clv.fitted
      ? `  predicted value: BG/NBD and Gamma-Gamma fitted on ${loaded.clv.customers} customers (${loaded.clv.repeatCustomers} repeat)`
      : `  predicted value: not fitted (${loaded.clv.message})`,
  ];
  console.log(lines.join('\n'));
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run Orkestra: ingestion API, admin API and engine, on the embedded store')
    .option('-p, --port <n>', 'HTTP port (env ORKESTRA_PORT, default 3000)')
    .option(
      '-d, --data-dir <dir>',
      'where the embedded store lives (env ORKESTRA_DATA_DIR, default ./.orkestra)',
    )
    .option('--host <host>', 'interface to listen on (env ORKESTRA_HOST, default 0.0.0.0)')
    .option('--no-demo', 'start empty, without the demo shop')
    .action(async (flags: { port?: string; dataDir?: string; host?: string; demo: boolean }) => {
      const config = configFrom(flags, process.env);
      const runtime = await startRuntime(config);
      if (flags.demo) await announceDemo(runtime);
      const lines = [
        `Orkestra is running at ${runtime.url}`,
        `  data directory  ${config.dataDir}`,
        `  write key       ${runtime.writeKey}   (HTTP Basic user name for /v1/*)`,
        `  admin key       ${runtime.adminKey}   (Bearer token for /api/*)`,
        `  API docs        ${runtime.url}/docs`,
      ];
      console.log(lines.join('\n'));
      const shutdown = (): void => {
        void runtime.close().then(() => process.exit(0));
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    });
}
