import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bgnbdExpectedPurchases } from './bgnbd.js';
import { buildClvReport } from './clv-report.js';
import type { CustomerSummary } from './customer-summary.js';

/** A small synthetic base: a few loyal buyers, a few lapsed ones, many one-offs. */
function syntheticBase(): CustomerSummary[] {
  const out: CustomerSummary[] = [];
  for (let i = 0; i < 60; i++) {
    const T = 30 + (i % 10);
    const frequency = i % 3 === 0 ? 0 : i % 7;
    const recency = frequency === 0 ? 0 : (T * ((i % 5) + 1)) / 6;
    out.push({ id: `c${i}`, frequency, recency, T, monetary: frequency === 0 ? 0 : 10 + (i % 11) * 3 });
  }
  return out;
}

test('scores every customer with the fitted models', () => {
  const result = buildClvReport(syntheticBase(), { horizonWeeks: 26, discountRate: 0.01 });
  assert.ok(result.ok);
  const report = result.value;
  assert.equal(report.customers, 60);
  assert.equal(report.perCustomer.length, 60);
  assert.equal(report.repeatCustomers, syntheticBase().filter((c) => c.frequency > 0).length);
  assert.deepEqual(report.warnings, []);
  for (const c of report.perCustomer) {
    assert.ok(
      c.expectedPurchases > 0 && c.pAlive > 0 && c.pAlive <= 1 && c.expectedOrderValue > 0 && c.clv > 0,
      c.id,
    );
    assert.equal(c.expectedPurchases, bgnbdExpectedPurchases(report.bgnbd, c, 26));
    assert.ok(c.clv < c.expectedOrderValue * c.expectedPurchases, 'discounting lowers the value');
  }
});

test('returns an error, not a throw, when the data cannot support a fit', () => {
  const options = { horizonWeeks: 26, discountRate: 0.01 };
  assert.deepEqual(buildClvReport([], options), {
    ok: false,
    error: { code: 'no-customers', message: 'no customer bought before the calibration end' },
  });
  const oneOffs = [{ id: 'a', frequency: 0, recency: 0, T: 10, monetary: 0 }];
  const result = buildClvReport(oneOffs, options);
  assert.equal(result.ok ? 'ok' : result.error.code, 'no-repeat-customers');
});
