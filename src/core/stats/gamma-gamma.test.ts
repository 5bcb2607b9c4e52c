import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  fitGammaGamma,
  gammaGammaExpectedOrderValue,
  gammaGammaLogLikelihood,
  isRepeatCustomer,
  type GammaGammaParams,
  type SpendPoint,
} from './gamma-gamma.js';

const CDNOW = process.env['ORKESTRA_CDNOW_DIR'] ?? '/work/shared/data/cdnow';
const SUMMARY = join(CDNOW, 'cdnow_customers_summary_with_transactions.csv');
const skip = existsSync(SUMMARY) ? false : `CDNOW data not found in ${CDNOW}`;

/** Fader & Hardie (2013), "The Gamma-Gamma Model of Monetary Value": the CDNOW sample. */
const PUBLISHED: GammaGammaParams = { p: 6.25, q: 3.74, gamma: 15.44 };

function readSpend(): SpendPoint[] {
  return readFileSync(SUMMARY, 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [, frequency = NaN, , , monetary = NaN] = line.split(',').map(Number);
      return { frequency, monetary };
    });
}

test(
  'fit on the published z̄ reproduces p = 6.25, q = 3.74, γ = 15.44 over 946 repeat customers',
  { skip },
  () => {
    const spend = readSpend();
    const fit = fitGammaGamma(spend);
    assert.ok(fit.converged);
    assert.equal(fit.customers, 946);
    for (const key of ['p', 'q', 'gamma'] as const) {
      assert.equal(fit.params[key].toPrecision(3), PUBLISHED[key].toPrecision(3), key);
    }
    assert.ok(fit.logLikelihood >= gammaGammaLogLikelihood(PUBLISHED, spend));
  },
);

test('the likelihood matches the closed form, with an independent log-gamma', () => {
  const { p, q, gamma } = PUBLISHED;
  const [x, z] = [3, 20];
  // ln of Γ(px+q)/(Γ(px)Γ(q)) γ^q x^px z^(px−1) / (γ + xz)^(px+q); the one-off customer adds nothing.
  const expected =
    logGammaRef(p * x + q) -
    logGammaRef(p * x) -
    logGammaRef(q) +
    q * Math.log(gamma) +
    p * x * Math.log(x) +
    (p * x - 1) * Math.log(z) -
    (p * x + q) * Math.log(gamma + x * z);
  const actual = gammaGammaLogLikelihood(PUBLISHED, [
    { frequency: x, monetary: z },
    { frequency: 0, monetary: 0 },
  ]);
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} vs ${expected}`);
});

/** Stirling series with shift, independent of the Lanczos code under test. */
function logGammaRef(v: number): number {
  let shift = 0;
  while (v < 20) shift -= Math.log(v++);
  const inv = 1 / v;
  return (
    shift +
    (v - 0.5) * Math.log(v) -
    v +
    0.5 * Math.log(2 * Math.PI) +
    inv / 12 -
    inv ** 3 / 360 +
    inv ** 5 / 1260
  );
}

test('expected order value shrinks z̄ toward the population mean pγ/(q − 1)', () => {
  const { p, q, gamma } = PUBLISHED;
  const populationMean = (p * gamma) / (q - 1);
  assert.ok(
    Math.abs(gammaGammaExpectedOrderValue(PUBLISHED, { frequency: 0, monetary: 0 }) - populationMean) < 1e-12,
  );
  const one = gammaGammaExpectedOrderValue(PUBLISHED, { frequency: 1, monetary: 100 });
  const many = gammaGammaExpectedOrderValue(PUBLISHED, { frequency: 20, monetary: 100 });
  assert.ok(populationMean < one && one < many && many < 100, `${populationMean} ${one} ${many}`);
  const w = (p * 2) / (p * 2 + q - 1);
  const twice = gammaGammaExpectedOrderValue(PUBLISHED, { frequency: 2, monetary: 22.35 });
  assert.ok(Math.abs(twice - ((1 - w) * populationMean + w * 22.35)) < 1e-12);
});

test('one-off and zero-spend customers do not enter the fit', () => {
  assert.equal(isRepeatCustomer({ frequency: 0, monetary: 0 }), false);
  assert.equal(isRepeatCustomer({ frequency: 2, monetary: 0 }), false);
  assert.throws(() => fitGammaGamma([{ frequency: 0, monetary: 0 }]), RangeError);
});

test('no data, no likelihood', () => {
  assert.equal(gammaGammaLogLikelihood(PUBLISHED, []), 0);
});
