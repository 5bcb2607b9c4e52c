/**
 * One call from customer summaries to a CLV report: fit BG/NBD and Gamma-Gamma, then score every
 * customer. The CLI and any other adapter translate their input into this and print the result.
 */
import { err, ok, type Result } from '../result.js';
import { bgnbdExpectedPurchases, bgnbdProbabilityAlive, fitBgnbd, type BgNbdParams } from './bgnbd.js';
import { customerLifetimeValue, type ClvOptions } from './clv.js';
import type { CustomerSummary } from './customer-summary.js';
import { fitGammaGamma, gammaGammaExpectedOrderValue, type GammaGammaParams } from './gamma-gamma.js';

/** One customer's scores over the horizon; times in weeks. */
export interface CustomerValue extends CustomerSummary {
  /** E[Y(horizon) | x, t_x, T] (BG/NBD eq. 10). */
  readonly expectedPurchases: number;
  readonly pAlive: number;
  /** E[Z | z̄, x] (Gamma-Gamma). */
  readonly expectedOrderValue: number;
  readonly clv: number;
}

/** The fitted models and the per-customer scores. */
export interface ClvReport {
  readonly customers: number;
  readonly repeatCustomers: number;
  readonly bgnbd: BgNbdParams;
  readonly gammaGamma: GammaGammaParams;
  readonly horizonWeeks: number;
  readonly discountRate: number;
  readonly perCustomer: readonly CustomerValue[];
  /** Fits that stopped at their iteration cap, and similar doubts about the numbers. */
  readonly warnings: readonly string[];
}

/** Why no report could be made. */
export type ClvReportError =
  | { readonly code: 'no-customers'; readonly message: string }
  | { readonly code: 'no-repeat-customers'; readonly message: string }
  | { readonly code: 'spend-mean-undefined'; readonly message: string };

/**
 * Fits both models on the summaries and scores every customer over `options.horizonWeeks`.
 * @example buildClvReport(summaries, { horizonWeeks: 39, discountRate: 0.01 });
 * // { ok: true, value: { customers: 2357, bgnbd: { r: 0.243, … }, perCustomer: [...] } }
 */
export function buildClvReport(
  customers: readonly CustomerSummary[],
  options: ClvOptions,
): Result<ClvReport, ClvReportError> {
  if (customers.length === 0) {
    return err({ code: 'no-customers', message: 'no customer bought before the calibration end' });
  }
  const repeatCustomers = customers.filter((c) => c.frequency > 0 && c.monetary > 0).length;
  if (repeatCustomers === 0) {
    return err({ code: 'no-repeat-customers', message: 'no repeat customer to fit the spend model on' });
  }
  const bgnbd = fitBgnbd(customers);
  const gammaGamma = fitGammaGamma(customers);
  if (!(gammaGamma.params.q > 1)) {
    const message = `Gamma-Gamma q = ${gammaGamma.params.q} ≤ 1: the mean spend is infinite, so CLV is undefined`;
    return err({ code: 'spend-mean-undefined', message });
  }
  const warnings: string[] = [];
  if (!bgnbd.converged) warnings.push(`BG/NBD fit did not converge in ${bgnbd.iterations} iterations`);
  if (!gammaGamma.converged)
    warnings.push(`Gamma-Gamma fit did not converge in ${gammaGamma.iterations} iterations`);
  const models = { bgnbd: bgnbd.params, gammaGamma: gammaGamma.params };
  const perCustomer = customers.map((c): CustomerValue => ({
    ...c,
    expectedPurchases: bgnbdExpectedPurchases(models.bgnbd, c, options.horizonWeeks),
    pAlive: bgnbdProbabilityAlive(models.bgnbd, c),
    expectedOrderValue: gammaGammaExpectedOrderValue(models.gammaGamma, c),
    clv: customerLifetimeValue(models, c, options),
  }));
  return ok({
    customers: customers.length,
    repeatCustomers,
    ...models,
    horizonWeeks: options.horizonWeeks,
    discountRate: options.discountRate,
    perCustomer,
    warnings,
  });
}
