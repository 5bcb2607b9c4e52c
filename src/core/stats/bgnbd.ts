/**
 * The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "'Counting Your Customers' the
 * Easy Way: An Alternative to the Pareto/NBD Model", Marketing Science 24(2)). While alive a
 * customer buys as a Poisson process with rate λ ~ Gamma(r, α); after each purchase they drop out
 * with probability p ~ Beta(a, b). Times are in weeks, as in the paper.
 */
import { minimizeNelderMead } from './nelder-mead.js';
import { hypergeometric2F1, logAddExp, logGamma } from './special-functions.js';

/** The four BG/NBD parameters: r, α (purchase rate), a, b (drop-out). */
export interface BgNbdParams {
  readonly r: number;
  readonly alpha: number;
  readonly a: number;
  readonly b: number;
}

/** The model's sufficient statistics for one customer: x, t_x and T (weeks). */
export interface RfmPoint {
  readonly frequency: number;
  readonly recency: number;
  readonly T: number;
}

/** A maximum-likelihood fit. */
export interface BgNbdFit {
  readonly params: BgNbdParams;
  readonly logLikelihood: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly evaluations: number;
}

/**
 * Customers with equal (x, t_x, T) share a likelihood term: fit on the distinct points, weighted.
 * Each point refers to the distinct values of x, t_x and T, so that the gamma functions and
 * logarithms are computed once per distinct value rather than once per customer.
 */
interface Groups {
  readonly weight: number[];
  readonly x: Distinct;
  readonly recency: Distinct;
  readonly T: Distinct;
}

/** Distinct values and, per group, the index of its value. */
interface Distinct {
  readonly values: number[];
  readonly index: number[];
}

function createDistinct(): Distinct & { add(value: number): void } {
  const at = new Map<number, number>();
  const values: number[] = [];
  const index: number[] = [];
  return {
    values,
    index,
    add(value) {
      let i = at.get(value);
      if (i === undefined) {
        i = values.push(value) - 1;
        at.set(value, i);
      }
      index.push(i);
    },
  };
}

function groupRfm(customers: readonly RfmPoint[]): Groups {
  const weight: number[] = [];
  const [x, recency, T] = [createDistinct(), createDistinct(), createDistinct()];
  const byKey = new Map<string, number>();
  for (const c of customers) {
    const key = `${c.frequency}|${c.recency}|${c.T}`;
    const at = byKey.get(key);
    if (at !== undefined) {
      weight[at]! += 1;
      continue;
    }
    byKey.set(key, weight.push(1) - 1);
    x.add(c.frequency);
    recency.add(c.recency);
    T.add(c.T);
  }
  return { weight, x, recency, T };
}

function groupedLogLikelihood({ r, alpha, a, b }: BgNbdParams, g: Groups): number {
  // Eq. 6 in logs: ln L = A₁ + A₂ + ln(e^A₃ + δ(x>0) e^A₄), A₁ and A₂ depending on x only.
  const logGammaR = logGamma(r) - r * Math.log(alpha);
  const logGammaAB = logGamma(a + b) - logGamma(b);
  const common = g.x.values.map(
    (x) => logGamma(r + x) - logGammaR + logGammaAB + logGamma(b + x) - logGamma(a + b + x), // A₁ + A₂
  );
  const logA = Math.log(a);
  const dropOut = g.x.values.map((x) => (x > 0 ? logA - Math.log(b + x - 1) : -Infinity)); // ln a/(b+x−1)
  const logAlphaT = g.T.values.map((T) => Math.log(alpha + T));
  const logAlphaTx = g.recency.values.map((tx) => Math.log(alpha + tx));
  let sum = 0;
  for (let i = 0; i < g.weight.length; i++) {
    const xi = g.x.index[i]!;
    const rx = r + g.x.values[xi]!;
    const a3 = -rx * logAlphaT[g.T.index[i]!]!;
    const a4 = dropOut[xi]! - rx * logAlphaTx[g.recency.index[i]!]!;
    sum += g.weight[i]! * (common[xi]! + logAddExp(a3, a4));
  }
  return sum;
}

/**
 * The BG/NBD log-likelihood of a set of customers (Fader, Hardie & Lee 2005, eq. 6, summed).
 * @example bgnbdLogLikelihood({ r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }, summaries); // −9582.4 on CDNOW
 */
export function bgnbdLogLikelihood(params: BgNbdParams, customers: readonly RfmPoint[]): number {
  return groupedLogLikelihood(params, groupRfm(customers));
}

/**
 * Fits r, α, a, b by maximum likelihood: Nelder–Mead on the log-parameters keeps them positive.
 * Throws RangeError on an empty list.
 * @example fitBgnbd(summaries).params; // CDNOW sample: { r: 0.243, alpha: 4.414, a: 0.793, b: 2.426 }
 */
export function fitBgnbd(customers: readonly RfmPoint[]): BgNbdFit {
  if (customers.length === 0) throw new RangeError('fitBgnbd needs at least one customer');
  const groups = groupRfm(customers);
  const toParams = (theta: readonly number[]): BgNbdParams => {
    const [r = 0, alpha = 0, a = 0, b = 0] = theta.map(Math.exp);
    return { r, alpha, a, b };
  };
  // Scaled by the number of customers so that the stopping tolerance is per customer.
  const n = customers.length;
  const result = minimizeNelderMead(
    (theta) => -groupedLogLikelihood(toParams(theta), groups) / n,
    [0, 0, 0, 0],
  );
  return {
    params: toParams(result.x),
    logLikelihood: -result.value * n,
    converged: result.converged,
    iterations: result.iterations,
    evaluations: result.evaluations,
  };
}

/** ln of a/(b + x − 1) · ((α + T)/(α + t_x))^(r + x), the odds of having dropped out after the last purchase. */
function logDropOutOdds({ r, alpha, a, b }: BgNbdParams, { frequency: x, recency, T }: RfmPoint): number {
  if (x === 0) return -Infinity; // nobody drops out before a repeat purchase
  return Math.log(a / (b + x - 1)) + (r + x) * Math.log((alpha + T) / (alpha + recency));
}

/**
 * P(alive | x, t_x, T): the probability the customer has not dropped out by T (Fader, Hardie &
 * Lee 2008, "Computing P(alive) Using the BG/NBD Model"; 1 when x = 0, as drop-out follows a purchase).
 * @example bgnbdProbabilityAlive(params, { frequency: 2, recency: 30.43, T: 38.86 }); // 0.7266
 */
export function bgnbdProbabilityAlive(params: BgNbdParams, customer: RfmPoint): number {
  return 1 / (1 + Math.exp(logDropOutOdds(params, customer)));
}

/**
 * E[Y(t) | x, t_x, T]: the expected number of purchases in the next `t` weeks after T
 * (Fader, Hardie & Lee 2005, eq. 10), with 2F1 at z = t / (α + T + t) < 1. Undefined at a = 1.
 * @example bgnbdExpectedPurchases(params, { frequency: 2, recency: 30.43, T: 38.86 }, 39); // 1.226
 */
export function bgnbdExpectedPurchases(params: BgNbdParams, customer: RfmPoint, t: number): number {
  if (t <= 0) return 0;
  const { r, alpha, a, b } = params;
  const { frequency: x, T } = customer;
  const z = t / (alpha + T + t);
  const shrink = Math.exp((r + x) * Math.log1p(-z)); // ((α + T) / (α + T + t))^(r + x)
  const numerator = 1 - shrink * hypergeometric2F1(r + x, b + x, a + b + x - 1, z);
  return (((a + b + x - 1) / (a - 1)) * numerator) / (1 + Math.exp(logDropOutOdds(params, customer)));
}
