/**
 * The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and CLV: Using
 * Iso-Value Curves for Customer Base Analysis", JMR 42(4); Fader & Hardie 2013, "The Gamma-Gamma
 * Model of Monetary Value"). Each transaction's value is Gamma(p, ν); ν varies across customers as
 * Gamma(q, γ). The average z̄ of x transactions is then Gamma(px, νx), independent of x's process.
 */
import { minimizeNelderMead } from './nelder-mead.js';
import { logGamma } from './special-functions.js';

/** The three Gamma-Gamma parameters. */
export interface GammaGammaParams {
  readonly p: number;
  readonly q: number;
  readonly gamma: number;
}

/** One customer's spend statistics: x repeat transactions with average value z̄ (`monetary`). */
export interface SpendPoint {
  readonly frequency: number;
  readonly monetary: number;
}

/** A maximum-likelihood fit, with the number of customers that entered it. */
export interface GammaGammaFit {
  readonly params: GammaGammaParams;
  readonly logLikelihood: number;
  readonly customers: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly evaluations: number;
}

/**
 * Whether a customer informs the spend model: the note fits on repeat customers (x > 0), and a
 * zero average has no density under a gamma distribution.
 * @example isRepeatCustomer({ frequency: 2, monetary: 22.35 }); // true
 */
export const isRepeatCustomer = (c: SpendPoint): boolean => c.frequency > 0 && c.monetary > 0;

interface Prepared {
  readonly x: number[];
  readonly logX: number[];
  readonly z: number[];
  readonly logZ: number[];
  /** Index into `distinctX`, so the gamma-function terms are computed once per x. */
  readonly xIndex: number[];
  readonly distinctX: number[];
}

function prepare(customers: readonly SpendPoint[]): Prepared {
  const d: Prepared = { x: [], logX: [], z: [], logZ: [], xIndex: [], distinctX: [] };
  const byX = new Map<number, number>();
  for (const c of customers) {
    if (!isRepeatCustomer(c)) continue;
    let xi = byX.get(c.frequency);
    if (xi === undefined) {
      xi = d.distinctX.push(c.frequency) - 1;
      byX.set(c.frequency, xi);
    }
    d.x.push(c.frequency);
    d.logX.push(Math.log(c.frequency));
    d.z.push(c.monetary);
    d.logZ.push(Math.log(c.monetary));
    d.xIndex.push(xi);
  }
  return d;
}

function preparedLogLikelihood({ p, q, gamma }: GammaGammaParams, d: Prepared): number {
  // ln f(z̄ | p, q, γ; x) = ln Γ(px + q) − ln Γ(px) − ln Γ(q) + q ln γ + px ln x
  //                          + (px − 1) ln z̄ − (px + q) ln(γ + x z̄)          (Fader & Hardie 2013)
  const common = d.distinctX.map(
    (x) => logGamma(p * x + q) - logGamma(p * x) - logGamma(q) + q * Math.log(gamma),
  );
  let sum = 0;
  for (let i = 0; i < d.x.length; i++) {
    const px = p * d.x[i]!;
    sum +=
      common[d.xIndex[i]!]! +
      px * d.logX[i]! +
      (px - 1) * d.logZ[i]! -
      (px + q) * Math.log(gamma + d.x[i]! * d.z[i]!);
  }
  return sum;
}

/**
 * The Gamma-Gamma log-likelihood of the repeat customers' average spend; others are skipped.
 * @example gammaGammaLogLikelihood({ p: 6.25, q: 3.74, gamma: 15.44 }, summaries);
 */
export function gammaGammaLogLikelihood(params: GammaGammaParams, customers: readonly SpendPoint[]): number {
  return preparedLogLikelihood(params, prepare(customers));
}

/**
 * Fits p, q, γ by maximum likelihood over the repeat customers ({@link isRepeatCustomer}), with
 * Nelder–Mead on the log-parameters. Throws RangeError when there is no repeat customer.
 * @example fitGammaGamma(summaries).params; // CDNOW sample: { p: 6.25, q: 3.74, gamma: 15.44 }
 */
export function fitGammaGamma(customers: readonly SpendPoint[]): GammaGammaFit {
  const d = prepare(customers);
  const n = d.x.length;
  if (n === 0) throw new RangeError('fitGammaGamma needs at least one repeat customer with a positive spend');
  const toParams = (theta: readonly number[]): GammaGammaParams => {
    const [p = 0, q = 0, gamma = 0] = theta.map(Math.exp);
    return { p, q, gamma };
  };
  const result = minimizeNelderMead((theta) => -preparedLogLikelihood(toParams(theta), d) / n, [0, 0, 0]);
  return {
    params: toParams(result.x),
    logLikelihood: -result.value * n,
    customers: n,
    converged: result.converged,
    iterations: result.iterations,
    evaluations: result.evaluations,
  };
}

/**
 * E[Z | p, q, γ; z̄, x]: the expected value of this customer's future transactions, a weighted
 * mean of the population mean pγ/(q − 1) and the customer's own z̄ with weight px/(px + q − 1)
 * (Fader, Hardie & Lee 2005, "RFM and CLV"; Fader & Hardie 2013). Needs q > 1; for x = 0 it is the
 * population mean.
 * @example gammaGammaExpectedOrderValue({ p: 6.25, q: 3.74, gamma: 15.44 }, { frequency: 2, monetary: 22.35 });
 */
export function gammaGammaExpectedOrderValue(
  { p, q, gamma }: GammaGammaParams,
  customer: SpendPoint,
): number {
  const px = p * customer.frequency;
  return (p * (gamma + customer.frequency * customer.monetary)) / (px + q - 1);
}
