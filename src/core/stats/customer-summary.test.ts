import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { asEpochDay, daysFromCivil } from './civil-date.js';
import { lastTransactionDay, summarizeCustomers } from './customer-summary.js';
import { parseTransactionLog, type Transaction } from './transactions.js';

const CDNOW = process.env['ORKESTRA_CDNOW_DIR'] ?? '/work/shared/data/cdnow';
const skip = existsSync(join(CDNOW, 'CDNOW_sample.txt')) ? false : `CDNOW data not found in ${CDNOW}`;
const CALIBRATION_END = daysFromCivil(1997, 9, 30);

const tx = (customerId: string, ymd: readonly [number, number, number], amount: number): Transaction => ({
  customerId,
  day: daysFromCivil(...ymd),
  amount,
});

test('same-day purchases merge; monetary averages the repeat days only', () => {
  const log = [
    tx('a', [1997, 1, 1], 10),
    tx('a', [1997, 1, 1], 5), // same day as the first purchase: still the first transaction
    tx('a', [1997, 1, 15], 20),
    tx('a', [1997, 1, 15], 4), // same day: one repeat transaction worth 24
    tx('a', [1997, 1, 29], 30),
    tx('a', [1997, 10, 1], 99), // after calibration: ignored
    tx('b', [1997, 9, 30], 7), // on the calibration end day: counts
    tx('c', [1997, 10, 2], 7), // first purchase after calibration: not a customer yet
  ];
  assert.deepEqual(summarizeCustomers(log, { calibrationEnd: CALIBRATION_END }), [
    { id: 'a', frequency: 2, recency: 4, T: 272 / 7, monetary: 27 },
    { id: 'b', frequency: 0, recency: 0, T: 0, monetary: 0 },
  ]);
});

test('an unsorted log gives the same summary', () => {
  const log = [
    tx('a', [1997, 2, 1], 3),
    tx('a', [1997, 1, 1], 1),
    tx('a', [1997, 1, 1], 1),
    tx('a', [1997, 1, 8], 5),
  ];
  assert.deepEqual(summarizeCustomers(log, { calibrationEnd: daysFromCivil(1997, 2, 1) }), [
    { id: 'a', frequency: 2, recency: 31 / 7, T: 31 / 7, monetary: 4 },
  ]);
  assert.equal(lastTransactionDay(log), daysFromCivil(1997, 2, 1));
  assert.equal(lastTransactionDay([]), undefined);
  assert.equal(asEpochDay(0), 0);
});

/** Published files: `ID,frequency,recency,T` and `ID,x,t_x,T,zbar`, values printed to 2 decimals. */
function readPublished(name: string): Map<number, readonly number[]> {
  const rows = readFileSync(join(CDNOW, name), 'utf8').trim().split('\n').slice(1);
  return new Map(rows.map((line) => line.split(',').map(Number)).map(([id, ...rest]) => [id!, rest]));
}

function sampleSummary(): ReturnType<typeof summarizeCustomers> {
  const parsed = parseTransactionLog(readFileSync(join(CDNOW, 'CDNOW_sample.txt'), 'utf8'), {
    kind: 'cdnow',
    idColumn: 2,
  });
  assert.ok(parsed.ok);
  return summarizeCustomers(parsed.value, { calibrationEnd: CALIBRATION_END });
}

test(
  'CDNOW sample: frequency, recency and T equal the published summary for all 2,357 customers',
  { skip },
  () => {
    const published = readPublished('cdnow_customers_summary.csv');
    const summary = sampleSummary();
    assert.equal(summary.length, 2357);
    assert.equal(published.size, 2357);
    for (const c of summary) {
      const [x, tx, T] = published.get(Number(c.id)) ?? assert.fail(`customer ${c.id} is not published`);
      assert.equal(c.frequency, x, `frequency of ${c.id}`);
      assert.equal(c.recency.toFixed(2), tx!.toFixed(2), `recency of ${c.id}`);
      assert.equal(c.T.toFixed(2), T!.toFixed(2), `T of ${c.id}`);
    }
  },
);

test('CDNOW sample: monetary equals the published z̄ for all 2,357 customers', { skip }, () => {
  const published = readPublished('cdnow_customers_summary_with_transactions.csv');
  let halfCentTies = 0;
  for (const c of sampleSummary()) {
    const [x, , , zbar] = published.get(Number(c.id)) ?? assert.fail(`customer ${c.id} is not published`);
    assert.equal(c.frequency, x);
    // The file rounds exact half cents up (22.345 → 22.35) while 22.345 in binary floating point
    // is 22.3449999…, so compare within half a cent rather than by toFixed(2).
    assert.ok(Math.abs(c.monetary - zbar!) <= 0.005 + 1e-9, `z̄ of ${c.id}: ${c.monetary} vs ${zbar}`);
    if (c.monetary.toFixed(2) !== zbar!.toFixed(2)) halfCentTies++;
  }
  assert.ok(halfCentTies < 100, `${halfCentTies} half-cent ties`);
});
