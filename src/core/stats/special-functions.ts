/**
 * Special functions for the CLV models: log-gamma, log-beta, a stable log(e^a + e^b) and the
 * Gauss hypergeometric series 2F1. Pure and dependency-free.
 */

/** Lanczos coefficients for g = 7, n = 9 (Numerical Recipes 3rd ed. §6.1; Godfrey's set). */
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln |Γ(x)| by the Lanczos approximation (relative error about 1e-15 for x > 0), with the
 * reflection formula Γ(x)Γ(1 − x) = π / sin(πx) below 1/2. Poles (0, −1, −2, …) give +Infinity.
 * @example logGamma(10); // ln(9!) = 12.801827480081469
 */
export function logGamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0 && Number.isInteger(x)) return Infinity;
  if (x < 0.5) {
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const y = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (y + i);
  const t = y + LANCZOS_G + 0.5;
  return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
}

/**
 * ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b), for a, b > 0.
 * @example logBeta(1, 1); // 0
 */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/**
 * ln(e^a + e^b) without overflow or underflow (either side may be −Infinity).
 * @example logAddExp(Math.log(2), Math.log(3)); // Math.log(5)
 */
export function logAddExp(a: number, b: number): number {
  const hi = Math.max(a, b);
  if (hi === -Infinity) return -Infinity;
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** Stopping rule for {@link hypergeometric2F1}. */
export interface SeriesOptions {
  /** Stop when a term falls below `tolerance` × |partial sum| (and terms are shrinking). Default 1e-15. */
  readonly tolerance?: number;
  /** Give up (RangeError) after this many terms. Default 100 000. */
  readonly maxTerms?: number;
}

/**
 * The Gauss hypergeometric function 2F1(a, b; c; z) = Σ (a)ₙ(b)ₙ / (c)ₙ zⁿ / n! for |z| < 1
 * (Abramowitz & Stegun 15.1.1). The BG/NBD conditional expectation (Fader, Hardie & Lee 2005,
 * eq. 10) uses it at z = t / (α + T + t) ∈ [0, 1), where the series converges geometrically.
 * Throws RangeError for |z| ≥ 1, for c a non-positive integer, or if the series does not settle.
 * @example hypergeometric2F1(1, 1, 2, 0.5); // −ln(1 − 0.5) / 0.5 = 1.3862943611198906
 */
export function hypergeometric2F1(
  a: number,
  b: number,
  c: number,
  z: number,
  options: SeriesOptions = {},
): number {
  const tolerance = options.tolerance ?? 1e-15;
  const maxTerms = options.maxTerms ?? 100_000;
  if (!(Math.abs(z) < 1)) throw new RangeError(`2F1 series needs |z| < 1, got z = ${z}`);
  if (c <= 0 && Number.isInteger(c)) throw new RangeError(`2F1 is undefined for c = ${c}`);
  let term = 1;
  let sum = 1;
  for (let n = 0; n < maxTerms; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    // A zero term means a or b is a non-positive integer: the series is a polynomial and is done.
    if (term === 0 || (Math.abs(term) <= tolerance * Math.abs(sum) && Math.abs(ratio) < 1)) return sum;
  }
  throw new RangeError(`2F1(${a}, ${b}; ${c}; ${z}) did not converge in ${maxTerms} terms`);
}
