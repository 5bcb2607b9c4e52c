/**
 * Draws synthetic transaction logs from the BG/NBD and Gamma-Gamma models: test data with known
 * parameters, and demo data. Randomness comes in as a seeded {@link Random}, never Math.random.
 */
import type { Random } from '../random.js';
import { asEpochDay, DAYS_PER_WEEK, type EpochDay } from './civil-date.js';
import type { ClvModels } from './clv.js';
import type { Transaction } from './transactions.js';

/** A uniform draw in (0, 1], safe under a logarithm. */
const openUnit = (rng: Random): number => 1 - rng.next();

/**
 * A standard normal draw (Box & Muller 1958).
 * @example sampleNormal(createRandom(1)); // ≈ N(0, 1)
 */
export function sampleNormal(rng: Random): number {
  return Math.sqrt(-2 * Math.log(openUnit(rng))) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A Gamma(shape, rate) draw, mean shape / rate (Marsaglia & Tsang 2000, "A Simple Method for
 * Generating Gamma Variables", ACM TOMS 26(3); shape < 1 through Gamma(shape + 1) · U^(1/shape)).
 * @example sampleGamma(createRandom(1), 0.243, 4.414); // a BG/NBD purchase rate per week
 */
export function sampleGamma(rng: Random, shape: number, rate: number): number {
  if (shape < 1) return sampleGamma(rng, shape + 1, rate) * openUnit(rng) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const x = sampleNormal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    if (Math.log(openUnit(rng)) < 0.5 * x * x + d - d * v + d * Math.log(v)) return (d * v) / rate;
  }
}

/**
 * A Beta(a, b) draw as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b).
 * @example sampleBeta(createRandom(1), 0.793, 2.426); // a BG/NBD drop-out probability
 */
export function sampleBeta(rng: Random, a: number, b: number): number {
  const x = sampleGamma(rng, a, 1);
  return x / (x + sampleGamma(rng, b, 1));
}

/** Who and when: `customers` first buy uniformly over `acquisitionDays` from `firstDay`; the log ends at `endDay`. */
export interface SimulationOptions {
  readonly customers: number;
  readonly firstDay: EpochDay;
  readonly acquisitionDays: number;
  readonly endDay: EpochDay;
}

/**
 * A transaction log drawn from the models, ids `c1`, `c2`, …: each customer buys at Poisson rate
 * λ ~ Gamma(r, α) per week and drops out after each repeat purchase with probability
 * p ~ Beta(a, b) (Fader, Hardie & Lee 2005, assumptions i–v); each transaction is worth
 * Gamma(p, ν) with ν ~ Gamma(q, γ) (Fader & Hardie 2013). Times are cut to whole days.
 * @example simulateTransactions(models, { customers: 100, firstDay, acquisitionDays: 84, endDay }, createRandom(7));
 */
export function simulateTransactions(
  models: ClvModels,
  options: SimulationOptions,
  rng: Random,
): Transaction[] {
  const { r, alpha, a, b } = models.bgnbd;
  const { p, q, gamma } = models.gammaGamma;
  const out: Transaction[] = [];
  for (let i = 1; i <= options.customers; i++) {
    const customerId = `c${i}`;
    const start = options.firstDay + Math.floor(rng.next() * options.acquisitionDays);
    const rate = sampleGamma(rng, r, alpha);
    const dropOut = sampleBeta(rng, a, b);
    const spendRate = sampleGamma(rng, q, gamma);
    const buy = (weeks: number): void => {
      const day = asEpochDay(start + Math.floor(weeks * DAYS_PER_WEEK));
      out.push({ customerId, day, amount: sampleGamma(rng, p, spendRate) });
    };
    buy(0);
    for (let t = 0; ;) {
      t += -Math.log(openUnit(rng)) / rate;
      if (start + t * DAYS_PER_WEEK >= options.endDay + 1) break; // past the last day of the log
      buy(t);
      if (rng.next() < dropOut) break;
    }
  }
  return out;
}
