import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG, startRuntime, type RuntimeConfig } from './runtime.js';

function intFrom(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number, got "${value}"`);
  return n;
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
    dedupeWindowDays:
      intFrom(env.ORKESTRA_DEDUPE_DAYS, 'ORKESTRA_DEDUPE_DAYS') ?? DEFAULT_CONFIG.dedupeWindowDays,
    mergeOnEmail: env.ORKESTRA_MERGE_ON_EMAIL !== 'false',
    rateLimit: rate ? { perSecond: rate, burst: rate * 5 } : DEFAULT_CONFIG.rateLimit,
    synchronous: env.ORKESTRA_SYNC === 'normal' ? 'normal' : 'full',
    logger: env.ORKESTRA_LOG === 'true',
  };
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
