/**
 * Customer lifetime value from the two models: BG/NBD for how many purchases, Gamma-Gamma for how
 * much each is worth (Fader, Hardie & Lee 2005, "RFM and CLV", which assumes spend independent of
 * the purchase process), discounted period by period like `lifetimes`' `customer_lifetime_value`.
 */
import { bgnbdExpectedPurchases, type BgNbdParams, type RfmPoint } from './bgnbd.js';
import { gammaGammaExpectedOrderValue, type GammaGammaParams, type SpendPoint } from './gamma-gamma.js';

/** A month in weeks, as `lifetimes` counts it (52.14 / 12). */
export const WEEKS_PER_MONTH = 4.345;

/** The two fitted models. */
export interface ClvModels {
  readonly bgnbd: BgNbdParams;
  readonly gammaGamma: GammaGammaParams;
}

/** How far ahead to look and how to discount. */
export interface ClvOptions {
  /** Horizon in weeks after the calibration end. */
  readonly horizonWeeks: number;
  /** Discount rate per period, e.g. 0.01 a month. */
  readonly discountRate: number;
  /** Length of one discounting period in weeks. Default {@link WEEKS_PER_MONTH}. */
  readonly periodWeeks?: number;
}

/**
 * CLV = Σᵢ E[Z] · (E[Y(tᵢ)] − E[Y(tᵢ₋₁)]) / (1 + d)ⁱ over periods i = 1…⌈H / P⌉ with
 * tᵢ = min(i·P, H): the expected order value times the purchases expected within each period
 * (BG/NBD eq. 10 differenced), discounted at the period's end. When H is a whole number of periods
 * this is exactly `lifetimes`' `customer_lifetime_value(time = H / P months, freq = 'W')`; a final
 * partial period counts its purchases and is discounted as a whole period.
 * @example customerLifetimeValue(models, summary, { horizonWeeks: 52, discountRate: 0.01 });
 */
export function customerLifetimeValue(
  models: ClvModels,
  customer: RfmPoint & SpendPoint,
  options: ClvOptions,
): number {
  const period = options.periodWeeks ?? WEEKS_PER_MONTH;
  const horizon = options.horizonWeeks;
  if (!(horizon > 0)) return 0;
  if (!(period > 0)) throw new RangeError(`periodWeeks must be positive, got ${period}`);
  const orderValue = gammaGammaExpectedOrderValue(models.gammaGamma, customer);
  // Tolerance so that 12 × 4.345 weeks is 12 periods, not 12 and a rounding error.
  const periods = Math.ceil(horizon / period - 1e-9);
  let value = 0;
  let before = 0;
  for (let i = 1; i <= periods; i++) {
    const upTo = bgnbdExpectedPurchases(models.bgnbd, customer, Math.min(i * period, horizon));
    value += (orderValue * (upTo - before)) / (1 + options.discountRate) ** i;
    before = upTo;
  }
  return value;
}
