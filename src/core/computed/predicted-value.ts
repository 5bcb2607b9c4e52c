import type { Profile } from '../profiles/profile.js';

/** A person's predicted value, as the predicted-value job writes it into `profile.computed`. */
export interface PredictedValue {
  /** Purchases expected over the horizon (BG/NBD). */
  readonly expectedPurchases: number;
  /** Probability the person is still a customer (BG/NBD). */
  readonly pAlive: number;
  /** Expected value of one order (Gamma-Gamma). */
  readonly expectedOrderValue: number;
  /** Discounted value of the purchases expected over the horizon. */
  readonly predictedClv: number;
}

const KEYS = ['expectedPurchases', 'pAlive', 'expectedOrderValue', 'predictedClv'] as const;

/** Figures kept to 6 significant digits: more is noise, and unchanged figures skip the write. */
const tidy = (x: number): number => (Number.isFinite(x) ? Number(x.toPrecision(6)) : 0);

/**
 * Writes (or, with undefined, removes) a profile's predicted value; undefined when nothing changes.
 * @example applyPredictedValue(profile, { expectedPurchases: 1.2, pAlive: 0.8, expectedOrderValue: 35, predictedClv: 40 })
 */
export function applyPredictedValue(
  profile: Profile,
  value: PredictedValue | undefined,
): Profile | undefined {
  const computed = profile.computed ?? {};
  const next = value ? Object.fromEntries(KEYS.map((k) => [k, tidy(value[k])])) : {};
  if (KEYS.every((k) => computed[k] === next[k])) return undefined;
  const rest = Object.fromEntries(
    Object.entries(computed).filter(([k]) => !(KEYS as readonly string[]).includes(k)),
  );
  return { ...profile, computed: { ...rest, ...next } };
}
