import type { Random } from '../random.js';

/**
 * Distributions for the demo simulation, all drawn from a seeded `Random`.
 */

/**
 * True with probability `p`.
 * @example chance(rng, 0.3); // true about 30% of the time
 */
export const chance = (rng: Random, p: number): boolean => rng.next() < p;

/**
 * A uniform float in [min, max).
 * @example between(rng, 5, 10); // 7.21…
 */
export const between = (rng: Random, min: number, max: number): number => min + rng.next() * (max - min);

/**
 * A standard normal draw (Box–Muller).
 * @example gaussian(rng); // -0.43…
 */
export function gaussian(rng: Random): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/**
 * A Poisson draw with mean `lambda`: Knuth's product method for small means, a rounded normal above 30.
 * @example poisson(rng, 3); // 2
 */
export function poisson(rng: Random, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(rng)));
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Cumulative weights, for repeated weighted draws from the same list. */
export interface WeightTable<T> {
  readonly items: readonly T[];
  readonly cumulative: readonly number[];
  readonly total: number;
}

/**
 * Prepare `items` for `drawWeighted`, each with the weight `weightOf` gives it.
 * @example const t = weightTable(['a', 'b'], (x) => (x === 'a' ? 3 : 1));
 */
export function weightTable<T>(
  items: readonly T[],
  weightOf: (item: T, index: number) => number,
): WeightTable<T> {
  let total = 0;
  const cumulative = items.map((item, i) => (total += weightOf(item, i)));
  if (items.length === 0 || total <= 0) throw new RangeError('a weight table needs a positive total weight');
  return { items, cumulative, total };
}

/**
 * One item, with probability proportional to its weight.
 * @example drawWeighted(rng, weightTable(['a', 'b'], () => 1)); // 'b'
 */
export function drawWeighted<T>(rng: Random, table: WeightTable<T>): T {
  const x = rng.next() * table.total;
  const { cumulative, items } = table;
  let i = 0;
  while (i < cumulative.length - 1 && (cumulative[i] ?? 0) <= x) i++;
  return items[i] as T;
}
