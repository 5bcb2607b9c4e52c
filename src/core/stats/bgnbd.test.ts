import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  bgnbdExpectedPurchases,
  bgnbdLogLikelihood,
  bgnbdProbabilityAlive,
  fitBgnbd,
  type BgNbdParams,
  type RfmPoint,
} from './bgnbd.js';

const CDNOW = process.env['ORKESTRA_CDNOW_DIR'] ?? '/work/shared/data/cdnow';
const SUMMARY = join(CDNOW, 'cdnow_customers_summary.csv');
const skip = existsSync(SUMMARY) ? false : `CDNOW data not found in ${CDNOW}`;

/** Fader, Hardie & Lee (2005), Table/§5: the CDNOW sample of 2,357 customers, 39-week calibration. */
const PUBLISHED: BgNbdParams = { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 };

const sigFigs = (x: number, n = 3): string => x.toPrecision(n);

function readSummary(): RfmPoint[] {
  return readFileSync(SUMMARY, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, frequency = NaN, recency = NaN, T = NaN] = line.split(',').map(Number);
      return { frequency, recency, T };
    });
}

test('fit on the published CDNOW summary reproduces r, α, a, b and ln L = −9582.4', { skip }, () => {
  const fit = fitBgnbd(readSummary());
  assert.ok(fit.converged);
  for (const key of ['r', 'alpha', 'a', 'b'] as const) {
    assert.equal(sigFigs(fit.params[key]), sigFigs(PUBLISHED[key]), key);
  }
  assert.equal(fit.logLikelihood.toFixed(1), '-9582.4');
  assert.ok(fit.logLikelihood >= bgnbdLogLikelihood(PUBLISHED, readSummary()));
});

test('conditional expectation (eq. 10) and P(alive) match an independent scipy computation', () => {
  // scipy.special.hyp2f1 / gammaln at the published parameters, t = 39 weeks.
  const cases: readonly (readonly [RfmPoint, number, number])[] = [
    [{ frequency: 2, recency: 30.43, T: 38.86 }, 1.226028174767135, 0.726578570080673], // the paper's example
    [{ frequency: 0, recency: 0, T: 38.86 }, 0.19509805201125396, 1],
    [{ frequency: 1, recency: 1.71, T: 38.86 }, 0.2031869870797511, 0.2121009853773791],
    [{ frequency: 7, recency: 35, T: 38.86 }, 4.387487854487876, 0.8437678219280121],
    [{ frequency: 26, recency: 35.71, T: 38.86 }, 15.122846544514111, 0.8263601769204942],
  ];
  for (const [customer, expected, alive] of cases) {
    assert.ok(
      Math.abs(bgnbdExpectedPurchases(PUBLISHED, customer, 39) - expected) < 1e-11,
      `E for ${customer.frequency}`,
    );
    assert.ok(
      Math.abs(bgnbdProbabilityAlive(PUBLISHED, customer) - alive) < 1e-12,
      `P for ${customer.frequency}`,
    );
  }
  const shortHorizon = bgnbdExpectedPurchases(PUBLISHED, { frequency: 2, recency: 30.43, T: 38.86 }, 10);
  assert.ok(Math.abs(shortHorizon - 0.3569733602656468) < 1e-11);
});

test('expected purchases grow with the horizon and start at zero', () => {
  const customer = { frequency: 3, recency: 20, T: 30 };
  assert.equal(bgnbdExpectedPurchases(PUBLISHED, customer, 0), 0);
  let previous = 0;
  for (const t of [1, 5, 20, 52, 104, 520]) {
    const e = bgnbdExpectedPurchases(PUBLISHED, customer, t);
    assert.ok(e > previous, `E[Y(${t})] = ${e}`);
    previous = e;
  }
});

test('a long silence lowers P(alive); a recent purchase raises it', () => {
  const recent = bgnbdProbabilityAlive(PUBLISHED, { frequency: 5, recency: 38, T: 39 });
  const silent = bgnbdProbabilityAlive(PUBLISHED, { frequency: 5, recency: 5, T: 39 });
  assert.ok(recent > 0.85 && silent < 0.01, `${recent} ${silent}`);
  // A huge x with a long silence does not overflow into NaN.
  assert.equal(bgnbdProbabilityAlive(PUBLISHED, { frequency: 5000, recency: 1, T: 39 }), 0);
});

test('an empty data set cannot be fitted', () => {
  assert.throws(() => fitBgnbd([]), RangeError);
});
