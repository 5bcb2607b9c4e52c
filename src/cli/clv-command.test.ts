import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { Command, CommanderError } from 'commander';
import { createRandom } from '../core/random.js';
import { daysFromCivil, formatIsoDate } from '../core/stats/civil-date.js';
import { simulateTransactions } from '../core/stats/simulate.js';
import { registerClvCommand, runClvFit, type ClvFitResult } from './clv-command.js';

const CDNOW = process.env['ORKESTRA_CDNOW_DIR'] ?? '/work/shared/data/cdnow';
const SAMPLE = join(CDNOW, 'CDNOW_sample.txt');
const skip = existsSync(SAMPLE) ? false : `CDNOW data not found in ${CDNOW}`;

/** Runs the command line through commander and returns what it printed on stdout. */
async function runCli(args: readonly string[]): Promise<string> {
  const program = new Command('orkestra').exitOverride().configureOutput({ writeErr: () => undefined });
  registerClvCommand(program);
  const chunks: string[] = [];
  const write = mock.method(process.stdout, 'write', (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['clv', 'fit', ...args], { from: 'user' });
  } finally {
    write.mock.restore();
  }
  return chunks.join('');
}

/** Fader, Hardie & Lee (2005) and Fader & Hardie (2013) on the CDNOW sample. */
function assertPublishedParameters(result: ClvFitResult): void {
  const published = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426, p: 6.25, q: 3.74, gamma: 15.44 };
  const fitted = { ...result.bgnbd, ...result.gammaGamma };
  for (const [key, value] of Object.entries(published)) {
    assert.equal(fitted[key as keyof typeof fitted].toPrecision(3), value.toPrecision(3), key);
  }
}

test('clv fit --json on the CDNOW sample gives the published summary and parameters', { skip }, async () => {
  const out = await runCli([
    '--transactions',
    SAMPLE,
    '--format',
    'cdnow',
    '--id-column',
    '2',
    '--calibration-end',
    '1997-09-30',
    '--horizon-weeks',
    '39',
    '--json',
  ]);
  const result = JSON.parse(out) as ClvFitResult;
  assert.equal(result.customers, 2357);
  assert.equal(result.calibrationEnd, '1997-09-30');
  assert.equal(result.horizonWeeks, 39);
  assertPublishedParameters(result);

  const published = readFileSync(join(CDNOW, 'cdnow_customers_summary.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1);
  assert.equal(result.perCustomer.length, published.length);
  const byId = new Map(result.perCustomer.map((c) => [Number(c.id), c]));
  for (const line of published) {
    const [id, x, tx, T] = line.split(',').map(Number);
    const c = byId.get(id!) ?? assert.fail(`customer ${id} missing`);
    assert.deepEqual(
      [c.frequency, c.recency.toFixed(2), c.T.toFixed(2)],
      [x, tx!.toFixed(2), T!.toFixed(2)],
      `customer ${id}`,
    );
  }
  const first = byId.get(1)!;
  assert.deepEqual(Object.keys(first).sort(), [
    'T',
    'clv',
    'expectedOrderValue',
    'expectedPurchases',
    'frequency',
    'id',
    'monetary',
    'pAlive',
    'recency',
  ]);
  assert.ok(
    Math.abs(first.expectedPurchases - 1.226) < 1e-3,
    `E[Y(39)] for customer 1: ${first.expectedPurchases}`,
  );
});

test(
  'runClvFit returns the result; without --calibration-end the last date in the log is used',
  { skip },
  () => {
    const result = runClvFit({
      transactions: SAMPLE,
      format: 'cdnow',
      idColumn: 2,
      horizonWeeks: 52,
      discountRate: 0.01,
    });
    assert.ok(result.ok);
    assert.equal(result.value.calibrationEnd, '1998-06-30');
    assert.equal(result.value.customers, 2357);
    assert.ok(result.value.perCustomer.every((c) => c.clv >= 0 && c.pAlive <= 1));
  },
);

test('reads a CSV by column mapping and prints a human summary', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-clv-'));
  try {
    const models = { bgnbd: { r: 0.5, alpha: 4, a: 0.8, b: 2.5 }, gammaGamma: { p: 6, q: 4, gamma: 15 } };
    const endDay = daysFromCivil(2024, 12, 31);
    const options = { customers: 300, firstDay: daysFromCivil(2024, 1, 1), acquisitionDays: 90, endDay };
    const log = simulateTransactions(models, options, createRandom(42));
    const rows = [
      'order_id,customer,placed_on,total',
      ...log.map((t, i) => `${i + 1},"${t.customerId}",${formatIsoDate(t.day)},${t.amount.toFixed(2)}`),
    ];
    const file = join(dir, 'orders.csv');
    writeFileSync(file, rows.join('\n'));
    const args = [
      '--transactions',
      file,
      '--format',
      'csv',
      '--id-column',
      '2',
      '--date-column',
      '3',
      '--amount-column',
      '4',
    ];
    const out = await runCli([
      ...args,
      '--header',
      '--calibration-end',
      '2024-09-30',
      '--horizon-weeks',
      '13',
    ]);
    assert.match(out, /^\d+ customers \(\d+ repeat\), calibration end 2024-09-30\n/);
    assert.match(out, /BG\/NBD {7}r = [\d.]+ {2}alpha = /);
    assert.match(out, /Top customers by CLV:\n {2}c\d+ {2}clv /);
    assert.doesNotMatch(out, /warning/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('errors carry a stable code and exit code 1', async () => {
  const missing = runClvFit({
    transactions: '/nonexistent/log.txt',
    format: 'cdnow',
    horizonWeeks: 39,
    discountRate: 0.01,
  });
  assert.equal(missing.ok ? 'ok' : missing.error.code, 'unreadable-file');
  const mixed = runClvFit({
    transactions: SAMPLE,
    format: 'cdnow',
    dateColumn: 3,
    horizonWeeks: 39,
    discountRate: 0.01,
  });
  assert.equal(mixed.ok ? 'ok' : mixed.error.code, 'bad-options');
  await assert.rejects(runCli(['--transactions', '/nonexistent/log.txt']), (e: unknown) => {
    assert.ok(e instanceof CommanderError);
    assert.equal(e.code, 'orkestra.clv.unreadable-file');
    assert.equal(e.exitCode, 1);
    return true;
  });
  await assert.rejects(
    runCli(['--transactions', 'x', '--id-column', '0']),
    (e: unknown) => e instanceof CommanderError && e.code === 'commander.invalidArgument',
  );
});
