/**
 * `orkestra import orders <file>`: loads a transaction log (the CDNOW layout, or any CSV or
 * whitespace layout by column mapping) into a running Orkestra as `Order Completed` events, through
 * the ingestion API like any other source. A thin adapter: parsing and the events are `src/core`.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { orderCompletedMessages } from '../core/computed/order-events.js';
import { err, ok, type Result } from '../core/result.js';
import { parseTransactionLog } from '../core/stats/transactions.js';
import { BatchSendError, packBatches, sendBatches } from './batch-sender.js';
import { addLayoutOptions, positiveInt, transactionLayoutOf, type LayoutOptions } from './clv-command.js';
import { ProgressReporter, type ProgressOutput } from './progress.js';

/** Options of `orkestra import orders`, as commander hands them over. */
export interface ImportOrdersOptions extends LayoutOptions {
  readonly file: string;
  /** Quantity column, 1-based (csv/whitespace; CDNOW's is its number of CDs). */
  readonly quantityColumn?: number;
  readonly currency: string;
  readonly url: string;
  readonly writeKey: string;
  readonly concurrency: number;
}

export interface ImportOrdersSummary {
  readonly rows: number;
  readonly customers: number;
  readonly batches: number;
  readonly retries: number;
  readonly ms: number;
}

export interface ImportOrdersError {
  readonly code: 'unreadable-file' | 'bad-options' | 'bad-log' | 'send-failed';
  readonly message: string;
}

/** What the command touches besides the file; tests pass their own. */
export interface ImportIo {
  readonly progress?: ProgressOutput;
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * The whole command without commander: read, parse, turn into events, send.
 * @example await runImportOrders({ file: 'CDNOW_sample.txt', format: 'cdnow', currency: 'USD',
 *   url: 'http://localhost:3000', writeKey, concurrency: 4 });
 */
export async function runImportOrders(
  options: ImportOrdersOptions,
  io: ImportIo = {},
): Promise<Result<ImportOrdersSummary, ImportOrdersError>> {
  const started = Date.now();
  const base = transactionLayoutOf(options);
  if (!base.ok) return err({ code: 'bad-options', message: base.error.message });
  if (!/^[A-Z]{3}$/.test(options.currency)) {
    return err({ code: 'bad-options', message: `not an ISO 4217 currency code: ${options.currency}` });
  }
  if (base.value.kind === 'cdnow' && options.quantityColumn !== undefined) {
    return err({ code: 'bad-options', message: '--format cdnow reads the quantity from its CDs column' });
  }
  const layout =
    base.value.kind === 'cdnow'
      ? { ...base.value, withQuantity: true }
      : {
          ...base.value,
          ...(options.quantityColumn !== undefined ? { quantityColumn: options.quantityColumn } : {}),
        };
  let text: string;
  try {
    text = readFileSync(options.file, 'utf8');
  } catch (cause) {
    return err({ code: 'unreadable-file', message: `cannot read ${options.file}: ${String(cause)}` });
  }
  const parsed = parseTransactionLog(text, layout);
  if (!parsed.ok) {
    return err({ code: 'bad-log', message: `${options.file}:${parsed.error.line}: ${parsed.error.message}` });
  }
  const messages = orderCompletedMessages(parsed.value, { currency: options.currency });
  const batches = packBatches(messages);
  const progress = new ProgressReporter({
    total: messages.length,
    unit: 'rows',
    output: io.progress ?? process.stderr,
  });
  let retries: number;
  try {
    retries = await sendBatches(batches, {
      url: options.url,
      writeKey: options.writeKey,
      concurrency: options.concurrency,
      onSent: (n) => progress.add(n),
      ...(io.fetch ? { fetch: io.fetch } : {}),
      ...(io.sleep ? { sleep: io.sleep } : {}),
    });
  } catch (error) {
    const message = error instanceof BatchSendError ? error.message : String(error);
    return err({ code: 'send-failed', message: `sending to ${options.url} failed: ${message}` });
  } finally {
    progress.finish();
  }
  return ok({
    rows: messages.length,
    customers: new Set(messages.map((m) => m.userId)).size,
    batches: batches.length,
    retries,
    ms: Date.now() - started,
  });
}

/**
 * Adds `import orders` to the program. `--url` and `--write-key` default to the server this machine
 * runs (`ORKESTRA_PORT`, `ORKESTRA_WRITE_KEY`).
 * @example registerImportCommand(program); // orkestra import orders CDNOW_master.txt --write-key wk_…
 */
export function registerImportCommand(program: Command, env: NodeJS.ProcessEnv = process.env): void {
  const imports = program.command('import').description('load history into a running Orkestra');
  const orders = imports
    .command('orders')
    .description('send a transaction log as Order Completed events (CDNOW, CSV or whitespace layouts)')
    .argument('<file>', 'transaction log');
  addLayoutOptions(orders)
    .option('--quantity-column <n>', 'quantity column, 1-based (csv/whitespace)', positiveInt)
    .option('--currency <code>', 'ISO 4217 currency of the amounts', 'USD')
    .option('--url <url>', 'Orkestra base URL', `http://127.0.0.1:${env.ORKESTRA_PORT || '3000'}`)
    .option('--write-key <key>', 'write key (default: env ORKESTRA_WRITE_KEY)', env.ORKESTRA_WRITE_KEY)
    .option('--concurrency <n>', 'requests in flight at once', positiveInt, 4)
    .action(async (file: string, opts: Omit<ImportOrdersOptions, 'file'>, command: Command) => {
      if (!opts.writeKey) {
        command.error('error: no write key: pass --write-key or set ORKESTRA_WRITE_KEY', {
          exitCode: 1,
          code: 'orkestra.import.bad-options',
        });
        return;
      }
      const result = await runImportOrders({ ...opts, file, currency: opts.currency.toUpperCase() });
      if (!result.ok) {
        command.error(`error: ${result.error.message}`, {
          exitCode: 1,
          code: `orkestra.import.${result.error.code}`,
        });
        return;
      }
      const s = result.value;
      process.stdout.write(
        `imported ${s.rows} orders of ${s.customers} customers in ${s.batches} batches (${s.retries} retries, ${(s.ms / 1000).toFixed(1)} s)\n`,
      );
    });
}
