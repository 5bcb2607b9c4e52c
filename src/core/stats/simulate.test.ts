import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import { fitBgnbd } from './bgnbd.js';
import { daysFromCivil } from './civil-date.js';
import type { ClvModels } from './clv.js';
import { summarizeCustomers } from './customer-summary.js';
import { fitGammaGamma } from './gamma-gamma.js';
import { sampleBeta, sampleGamma, sampleNormal, simulateTransactions } from './simulate.js';

function moments(draw: () => number, n = 40_000): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

test('samplers have the right mean and variance', () => {
  const rng = createRandom(11);
  const normal = moments(() => sampleNormal(rng));
  assert.ok(Math.abs(normal.mean) < 0.02 && Math.abs(normal.variance - 1) < 0.03, JSON.stringify(normal));
  for (const [shape, rate] of [
    [0.243, 4.414],
    [3.74, 15.44],
    [6.25, 0.5],
  ] as const) {
    const g = moments(() => sampleGamma(rng, shape, rate));
    const [mean, variance] = [shape / rate, shape / rate ** 2];
    assert.ok(Math.abs(g.mean / mean - 1) < 0.03, `Gamma(${shape}, ${rate}) mean ${g.mean} vs ${mean}`);
    assert.ok(
      Math.abs(g.variance / variance - 1) < 0.1,
      `Gamma(${shape}, ${rate}) variance ${g.variance} vs ${variance}`,
    );
  }
  const beta = moments(() => sampleBeta(rng, 0.793, 2.426));
  assert.ok(Math.abs(beta.mean - 0.793 / (0.793 + 2.426)) < 0.01, JSON.stringify(beta));
});

test('the same seed draws the same log', () => {
  const models: ClvModels = { bgnbd: { r: 1, alpha: 5, a: 1, b: 3 }, gammaGamma: { p: 5, q: 4, gamma: 20 } };
  const options = {
    customers: 20,
    firstDay: daysFromCivil(2024, 1, 1),
    acquisitionDays: 30,
    endDay: daysFromCivil(2024, 6, 30),
  };
  const one = simulateTransactions(models, options, createRandom(5));
  assert.deepEqual(simulateTransactions(models, options, createRandom(5)), one);
  assert.ok(one.every((t) => t.day >= options.firstDay && t.day <= options.endDay && t.amount > 0));
});

test('fitting a simulated CDNOW-like base recovers the parameters it was drawn from', () => {
  const truth: ClvModels = {
    bgnbd: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 },
    gammaGamma: { p: 6.25, q: 3.74, gamma: 15.44 },
  };
  const endDay = daysFromCivil(1998, 6, 30); // 78 weeks after the first acquisitions, like CDNOW master
  const options = { customers: 10_000, firstDay: daysFromCivil(1997, 1, 1), acquisitionDays: 84, endDay };
  const summaries = summarizeCustomers(simulateTransactions(truth, options, createRandom(2005)), {
    calibrationEnd: endDay,
  });
  const bgnbd = fitBgnbd(summaries).params;
  const spend = fitGammaGamma(summaries).params;
  // Tolerances of about three standard errors at this sample size (a, b and p, q, γ are the loosest).
  const within = (fitted: number, trueValue: number, relative: number, name: string): void =>
    assert.ok(Math.abs(fitted / trueValue - 1) < relative, `${name}: fitted ${fitted}, true ${trueValue}`);
  within(bgnbd.r, 0.243, 0.1, 'r');
  within(bgnbd.alpha, 4.414, 0.2, 'alpha');
  within(bgnbd.a, 0.793, 0.25, 'a');
  within(bgnbd.b, 2.426, 0.35, 'b');
  within((spend.p * spend.gamma) / (spend.q - 1), (6.25 * 15.44) / 2.74, 0.05, 'mean spend pγ/(q − 1)');
  within(spend.p, 6.25, 0.25, 'p');
  within(spend.q, 3.74, 0.25, 'q');
});
