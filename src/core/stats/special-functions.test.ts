import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hypergeometric2F1, logAddExp, logBeta, logGamma } from './special-functions.js';

/** |actual − expected| ≤ tol × max(1, |expected|). */
function close(actual: number, expected: number, tol = 1e-13): void {
  const scale = Math.max(1, Math.abs(expected));
  assert.ok(Math.abs(actual - expected) <= tol * scale, `${actual} ≠ ${expected}`);
}

test('logGamma matches reference values (mpmath, 30 digits)', () => {
  const reference: readonly (readonly [number, number])[] = [
    [1e-3, 6.907178885383853],
    [0.1, 2.252712651734206],
    [0.5, 0.5723649429247001], // ln √π
    [1, 0],
    [1.5, -0.12078223763524522],
    [2, 0],
    [3.7, 1.428072326665388],
    [10, 12.801827480081469], // ln 9!
    [100, 359.1342053695754],
    [1e4, 82099.71749644238],
    [-0.5, 1.2655121234846454], // ln |Γ(−1/2)| = ln 2√π
    [-2.5, -0.056243716497674054],
  ];
  for (const [x, expected] of reference) close(logGamma(x), expected);
});

test('logGamma satisfies Γ(x + 1) = x Γ(x) and has poles at non-positive integers', () => {
  for (const x of [0.01, 0.3, 0.9, 1.7, 4.2, 25.5, 310.25]) close(logGamma(x + 1), logGamma(x) + Math.log(x));
  assert.equal(logGamma(0), Infinity);
  assert.equal(logGamma(-3), Infinity);
  assert.ok(Number.isNaN(logGamma(NaN)));
});

test('logBeta matches closed forms', () => {
  close(logBeta(1, 1), 0);
  close(logBeta(2, 3), Math.log(1 / 12));
  close(logBeta(0.5, 0.5), Math.log(Math.PI));
});

test('logAddExp is stable at the extremes', () => {
  close(logAddExp(Math.log(2), Math.log(3)), Math.log(5));
  close(logAddExp(1000, 1000), 1000 + Math.log(2));
  close(logAddExp(-1000, -Infinity), -1000);
  assert.equal(logAddExp(-Infinity, -Infinity), -Infinity);
});

test('2F1 matches closed forms (Abramowitz & Stegun 15.1)', () => {
  for (const z of [-0.9, -0.3, 1e-6, 0.25, 0.5, 0.9, 0.99]) {
    close(hypergeometric2F1(1, 1, 2, z), -Math.log1p(-z) / z, 1e-12); // 15.1.3
    close(hypergeometric2F1(2.5, 0.7, 0.7, z), (1 - z) ** -2.5, 1e-12); // 15.1.8
  }
  for (const x of [0.1, 0.5, 0.9]) {
    close(hypergeometric2F1(0.5, 0.5, 1.5, x * x), Math.asin(x) / x); // 15.1.6
    close(hypergeometric2F1(0.5, 1, 1.5, -x * x), Math.atan(x) / x); // 15.1.5
  }
  // A polynomial when a is a non-positive integer: 1 − 2bz/c + b(b+1)z²/(c(c+1)).
  close(hypergeometric2F1(-2, 3, 4, 0.5), 1 - (2 * 3 * 0.5) / 4 + (3 * 4 * 0.25) / (4 * 5));
  assert.equal(hypergeometric2F1(1, 1, 2, 0), 1);
});

test('2F1 matches mpmath at BG/NBD-like arguments', () => {
  close(hypergeometric2F1(3.243, 5.426, 5.219, 39 / (4.414 + 30 + 39)), 13.01334158653408, 1e-12);
  close(hypergeometric2F1(1.5, 2.25, 3.5, 0.9), 6.219987390930128, 1e-12);
  close(hypergeometric2F1(1.5, 2.25, 3.5, -0.7), 0.5868048520663621, 1e-12);
});

test('2F1 refuses arguments outside the series domain', () => {
  assert.throws(() => hypergeometric2F1(1, 1, 2, 1), RangeError);
  assert.throws(() => hypergeometric2F1(1, 1, -2, 0.5), RangeError);
  assert.throws(() => hypergeometric2F1(1, 1, 2, 0.999999, { maxTerms: 10 }), RangeError);
});
