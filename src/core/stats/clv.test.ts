import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bgnbdExpectedPurchases } from './bgnbd.js';
import { customerLifetimeValue, WEEKS_PER_MONTH, type ClvModels } from './clv.js';
import { gammaGammaExpectedOrderValue } from './gamma-gamma.js';

const MODELS: ClvModels = {
  bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
  gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
};
const CUSTOMER = { frequency: 2, recency: 30.43, T: 38.86, monetary: 22.35 };

const near = (a: number, b: number, tol = 1e-9): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('without discounting, CLV is expected order value × expected purchases over the horizon', () => {
  const clv = customerLifetimeValue(MODELS, CUSTOMER, { horizonWeeks: 39, discountRate: 0 });
  near(
    clv,
    gammaGammaExpectedOrderValue(MODELS.gammaGamma, CUSTOMER) *
      bgnbdExpectedPurchases(MODELS.bgnbd, CUSTOMER, 39),
  );
});

test('monthly discounting follows lifetimes: Σ value × ΔE[Y] / (1 + d)^i', () => {
  const d = 0.01;
  const value = gammaGammaExpectedOrderValue(MODELS.gammaGamma, CUSTOMER);
  let expected = 0;
  for (let i = 1; i <= 12; i++) {
    const delta =
      bgnbdExpectedPurchases(MODELS.bgnbd, CUSTOMER, i * WEEKS_PER_MONTH) -
      bgnbdExpectedPurchases(MODELS.bgnbd, CUSTOMER, (i - 1) * WEEKS_PER_MONTH);
    expected += (value * delta) / (1 + d) ** i;
  }
  near(
    customerLifetimeValue(MODELS, CUSTOMER, { horizonWeeks: 12 * WEEKS_PER_MONTH, discountRate: d }),
    expected,
  );
});

test('a partial last period counts its purchases, discounted as a whole period', () => {
  const weekly = { horizonWeeks: 2.5, discountRate: 0.1, periodWeeks: 1 };
  const value = gammaGammaExpectedOrderValue(MODELS.gammaGamma, CUSTOMER);
  const e = (t: number): number => bgnbdExpectedPurchases(MODELS.bgnbd, CUSTOMER, t);
  const expected = value * (e(1) / 1.1 + (e(2) - e(1)) / 1.1 ** 2 + (e(2.5) - e(2)) / 1.1 ** 3);
  near(customerLifetimeValue(MODELS, CUSTOMER, weekly), expected);
});

test('discounting lowers CLV, a longer horizon raises it, no horizon is worth nothing', () => {
  const at = (horizonWeeks: number, discountRate: number): number =>
    customerLifetimeValue(MODELS, CUSTOMER, { horizonWeeks, discountRate });
  assert.ok(at(52, 0.05) < at(52, 0.01));
  assert.ok(at(104, 0.01) > at(52, 0.01));
  assert.equal(at(0, 0.01), 0);
  assert.throws(
    () => customerLifetimeValue(MODELS, CUSTOMER, { horizonWeeks: 4, discountRate: 0, periodWeeks: 0 }),
    RangeError,
  );
});
