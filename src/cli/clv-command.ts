/**
 * `orkestra clv fit`: read a transaction log, summarise it per customer, fit BG/NBD and
 * Gamma-Gamma and print every customer's expected purchases, P(alive), order value and CLV.
 * A thin adapter: the file is read here, everything else is `src/core/stats`.
 */
import { readFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { err, ok, type Result } from '../core/result.js';
import { formatIsoDate, parseCivilDate, type DateFormat } from '../core/stats/civil-date.js';
import { buildClvReport, type ClvReport, type ClvReportError } from '../core/stats/clv-report.js';
import { lastTransactionDay, summarizeCustomers } from '../core/stats/customer-summary.js';
import { parseTransactionLog, type TransactionLayout } from '../core/stats/transactions.js';

/** The log layouts the command understands; see {@link TransactionLayout}. */
export type LogFormat = 'cdnow' | 'csv' | 'whitespace';

/** Options of `orkestra clv fit`, as commander hands them over. Columns are 1-based. */
export interface ClvFitOptions {
  readonly transactions: string;
  readonly format: LogFormat;
  readonly idColumn?: number;
  readonly dateColumn?: number;
  readonly amountColumn?: number;
  readonly dateFormat?: DateFormat;
  /** Whether the first line is a header; absent: skip it if its date does not parse. */
  readonly header?: boolean;
  /** `yyyy-mm-dd` or `yyyymmdd`; absent: the last date in the log. */
  readonly calibrationEnd?: string;
  readonly horizonWeeks: number;
  /** Per month (4.345 weeks), as `lifetimes` discounts. */
  readonly discountRate: number;
}

/** The command's JSON output: {@link ClvReport} with the calibration end it used. */
export type ClvFitResult = ClvReport & { readonly calibrationEnd: string };

/** Why the command failed; `code` is stable for scripts, `message` is for people. */
export interface ClvFitError {
  readonly code: 'unreadable-file' | 'bad-options' | 'bad-log' | ClvReportError['code'];
  readonly message: string;
}

/**
 * The whole command without commander: read, parse, summarise, fit, score.
 * @example runClvFit({ transactions: 'CDNOW_sample.txt', format: 'cdnow', idColumn: 2,
 *   calibrationEnd: '1997-09-30', horizonWeeks: 39, discountRate: 0.01 });
 */
export function runClvFit(options: ClvFitOptions): Result<ClvFitResult, ClvFitError> {
  const layout = transactionLayoutOf(options);
  if (!layout.ok) return layout;
  let text: string;
  try {
    text = readFileSync(options.transactions, 'utf8');
  } catch (cause) {
    return err({ code: 'unreadable-file', message: `cannot read ${options.transactions}: ${String(cause)}` });
  }
  const parsed = parseTransactionLog(text, layout.value);
  if (!parsed.ok) {
    return err({
      code: 'bad-log',
      message: `${options.transactions}:${parsed.error.line}: ${parsed.error.message}`,
    });
  }
  const calibrationEnd =
    options.calibrationEnd === undefined
      ? lastTransactionDay(parsed.value)
      : (parseCivilDate(options.calibrationEnd, 'iso') ?? parseCivilDate(options.calibrationEnd, 'yyyymmdd'));
  if (calibrationEnd === undefined) {
    const message =
      options.calibrationEnd === undefined
        ? 'the log has no transactions'
        : `not a date: ${options.calibrationEnd}`;
    return err({ code: options.calibrationEnd === undefined ? 'no-customers' : 'bad-options', message });
  }
  const summaries = summarizeCustomers(parsed.value, { calibrationEnd });
  const report = buildClvReport(summaries, {
    horizonWeeks: options.horizonWeeks,
    discountRate: options.discountRate,
  });
  if (!report.ok) return report;
  // Rebuilt so that the JSON shows calibrationEnd with the parameters, before the long list.
  const { perCustomer, warnings, ...fit } = report.value;
  return ok({ ...fit, calibrationEnd: formatIsoDate(calibrationEnd), perCustomer, warnings });
}

/** The column-mapping options shared by the commands that read transaction logs. */
export type LayoutOptions = Pick<
  ClvFitOptions,
  'format' | 'idColumn' | 'dateColumn' | 'amountColumn' | 'dateFormat' | 'header'
>;

/**
 * The layout the column-mapping options describe (`cdnow` fixes the date and amount columns).
 * @example transactionLayoutOf({ format: 'csv', idColumn: 2 }) // { ok: true, value: { kind: 'delimited', … } }
 */
export function transactionLayoutOf(options: LayoutOptions): Result<TransactionLayout, ClvFitError> {
  const header = options.header ?? 'auto';
  if (options.format === 'cdnow') {
    if (
      options.dateColumn !== undefined ||
      options.amountColumn !== undefined ||
      options.dateFormat !== undefined
    ) {
      const message =
        '--format cdnow fixes the date and amount columns; use --format whitespace to choose them';
      return err({ code: 'bad-options', message });
    }
    return ok({ kind: 'cdnow', idColumn: options.idColumn ?? 1, header });
  }
  return ok({
    kind: 'delimited',
    separator: options.format === 'csv' ? 'comma' : 'whitespace',
    idColumn: options.idColumn ?? 1,
    dateColumn: options.dateColumn ?? 2,
    amountColumn: options.amountColumn ?? 3,
    dateFormat: options.dateFormat ?? (options.format === 'csv' ? 'iso' : 'yyyymmdd'),
    header,
  });
}

/** A short human summary of a result: the fits, totals and the most valuable customers. */
function formatSummary(result: ClvFitResult): string {
  const { r, alpha, a, b } = result.bgnbd;
  const { p, q, gamma } = result.gammaGamma;
  const f = (x: number, digits = 3): string => x.toFixed(digits);
  const total = (key: 'clv' | 'expectedPurchases'): number =>
    result.perCustomer.reduce((s, c) => s + c[key], 0);
  const top = [...result.perCustomer].sort((x, y) => y.clv - x.clv).slice(0, 5);
  return [
    `${result.customers} customers (${result.repeatCustomers} repeat), calibration end ${result.calibrationEnd}`,
    `BG/NBD       r = ${f(r)}  alpha = ${f(alpha)}  a = ${f(a)}  b = ${f(b)}`,
    `Gamma-Gamma  p = ${f(p)}  q = ${f(q)}  gamma = ${f(gamma)}`,
    `Next ${result.horizonWeeks} weeks: ${f(total('expectedPurchases'), 1)} purchases, CLV ${f(total('clv'), 2)} ` +
      `(discount ${result.discountRate} a month)`,
    'Top customers by CLV:',
    ...top.map(
      (c) =>
        `  ${c.id}  clv ${f(c.clv, 2)}  purchases ${f(c.expectedPurchases, 2)}  P(alive) ${f(c.pAlive, 2)}`,
    ),
    ...result.warnings.map((w) => `warning: ${w}`),
    '',
  ].join('\n');
}

/** Commander's parser for a 1-based column number. */
export const positiveInt = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a column number from 1');
  return n;
};
const nonNegative = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('expected a number ≥ 0');
  }
  return n;
};

/**
 * Adds the column-mapping options (`--format`, `--id-column`, `--date-column`, `--amount-column`,
 * `--date-format`, `--header` / `--no-header`) to a command that reads a transaction log.
 */
export function addLayoutOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--format <format>', 'log layout').choices(['cdnow', 'csv', 'whitespace']).default('cdnow'),
    )
    .option(
      '--id-column <n>',
      'customer id column, 1-based (default 1; 2 for the CDNOW sample id)',
      positiveInt,
    )
    .option('--date-column <n>', 'date column, 1-based (csv/whitespace; default 2)', positiveInt)
    .option('--amount-column <n>', 'amount column, 1-based (csv/whitespace; default 3)', positiveInt)
    .addOption(
      new Option('--date-format <format>', 'date format (default: iso for csv, else yyyymmdd)').choices([
        'yyyymmdd',
        'iso',
      ]),
    )
    .option('--header', 'the first line is a header (default: detected)')
    .option('--no-header', 'the first line is data');
}

/**
 * Adds `clv fit` to the program.
 * @example const program = new Command('orkestra'); registerClvCommand(program);
 * await program.parseAsync(['clv', 'fit', '--transactions', 'log.txt', '--json'], { from: 'user' });
 */
export function registerClvCommand(program: Command): void {
  const clv = program.command('clv').description('customer lifetime value (BG/NBD + Gamma-Gamma)');
  const fit = clv
    .command('fit')
    .description('fit BG/NBD and Gamma-Gamma on a transaction log and score every customer')
    .requiredOption('--transactions <file>', 'transaction log');
  addLayoutOptions(fit)
    .option(
      '--calibration-end <date>',
      'last day of the calibration period, yyyy-mm-dd or yyyymmdd (default: last date in the log)',
    )
    .option('--horizon-weeks <weeks>', 'prediction horizon in weeks', nonNegative, 39)
    .option('--discount-rate <rate>', 'discount rate per month', nonNegative, 0.01)
    .option('--json', 'print the full result as JSON')
    .action((opts: ClvFitOptions & { readonly json?: boolean }, command: Command) => {
      const result = runClvFit(opts);
      if (!result.ok) {
        const code = `orkestra.clv.${result.error.code}`;
        command.error(`error: ${result.error.message}`, { exitCode: 1, code });
        return;
      }
      const json = `${JSON.stringify(result.value, null, 2)}\n`;
      process.stdout.write(opts.json === true ? json : formatSummary(result.value));
    });
}
