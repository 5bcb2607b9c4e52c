/**
 * RFM scoring: recency, frequency and monetary scores 1–5 by quintiles over the customers (people
 * with at least one order), and the standard named RFM groups.
 *
 * Quintiles and ties: a customer's score on one measure is `1 + ⌊5 · b / n⌋`, where `n` is the number
 * of customers and `b` the number of customers with a strictly worse value (an older last order, fewer
 * orders, less revenue). Equal values therefore always get the same score — the lower one, as a tie
 * is ranked at its first position — whatever order the customers come in. With many ties (most
 * customers bought once) a quintile can be empty and another larger than a fifth.
 *
 * Groups come from the recency score R and FM, the average of the frequency and monetary scores
 * rounded half up (`⌊(F + M + 1) / 2⌋`), through this map (rows R, columns FM):
 *
 * | R \ FM | 1             | 2                  | 3                  | 4               | 5               |
 * | ------ | ------------- | ------------------ | ------------------ | --------------- | --------------- |
 * | 5      | New Customers | Potential Loyalist | Potential Loyalist | Champions       | Champions       |
 * | 4      | Promising     | Potential Loyalist | Potential Loyalist | Champions       | Champions       |
 * | 3      | Promising     | About to Sleep     | Need Attention     | Loyal           | Loyal           |
 * | 2      | Hibernating   | Hibernating        | At Risk            | At Risk         | At Risk         |
 * | 1      | Lost          | Lost               | At Risk            | Can't Lose Them | Can't Lose Them |
 *
 * It is the common R × FM map (Putler's RFM segments) made into a partition: where that table's ranges
 * overlap, the cell goes to the group whose description fits best (At Risk over Loyal for a lapsed
 * regular, Lost over Hibernating for the oldest and smallest).
 */

/** The eleven standard RFM groups. */
export const RFM_GROUPS = [
  'Champions',
  'Loyal',
  'Potential Loyalist',
  'New Customers',
  'Promising',
  'Need Attention',
  'About to Sleep',
  'At Risk',
  "Can't Lose Them",
  'Hibernating',
  'Lost',
] as const;
export type RfmGroup = (typeof RFM_GROUPS)[number];

/** A score from 1 (worst fifth) to 5 (best fifth). */
export type RfmScore = 1 | 2 | 3 | 4 | 5;

/** The map above: `RFM_MAP[5 - R][FM - 1]`. */
export const RFM_MAP: readonly (readonly RfmGroup[])[] = [
  ['New Customers', 'Potential Loyalist', 'Potential Loyalist', 'Champions', 'Champions'],
  ['Promising', 'Potential Loyalist', 'Potential Loyalist', 'Champions', 'Champions'],
  ['Promising', 'About to Sleep', 'Need Attention', 'Loyal', 'Loyal'],
  ['Hibernating', 'Hibernating', 'At Risk', 'At Risk', 'At Risk'],
  ['Lost', 'Lost', 'At Risk', "Can't Lose Them", "Can't Lose Them"],
];

/** One customer's measures: days since the last order, number of orders, revenue. */
export interface RfmInput {
  readonly id: string;
  readonly recencyDays: number;
  readonly frequency: number;
  readonly monetary: number;
}

/** One customer's scores and group. */
export interface RfmResult {
  readonly id: string;
  readonly recency: RfmScore;
  readonly frequency: RfmScore;
  readonly monetary: RfmScore;
  readonly group: RfmGroup;
}

/** The first index in sorted `xs` whose value is ≥ `x`. */
function lowerBound(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (xs[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Quintile scores of `values` (higher is better), ties sharing the lower score (see above).
 * @example quintileScores([10, 20, 30, 40, 50]) // [1, 2, 3, 4, 5]
 */
export function quintileScores(values: readonly number[]): RfmScore[] {
  const sorted = [...values].sort((a, b) => a - b);
  const n = values.length;
  return values.map((v) => (1 + Math.floor((5 * lowerBound(sorted, v)) / n)) as RfmScore);
}

/**
 * The group of a score triple, from the map above.
 * @example rfmGroupOf(5, 5, 4) // 'Champions'
 */
export function rfmGroupOf(recency: RfmScore, frequency: RfmScore, monetary: RfmScore): RfmGroup {
  const fm = Math.floor((frequency + monetary + 1) / 2);
  return RFM_MAP[5 - recency]![fm - 1]!;
}

/**
 * Scores every customer with at least one order (others are left out) against the others.
 * @example scoreRfm([{ id: 'a', recencyDays: 3, frequency: 9, monetary: 900 }, …])
 */
export function scoreRfm(customers: readonly RfmInput[]): RfmResult[] {
  const scored = customers.filter((c) => c.frequency >= 1);
  // A more recent order is better: negate the days so that higher is better for all three.
  const r = quintileScores(scored.map((c) => -c.recencyDays));
  const f = quintileScores(scored.map((c) => c.frequency));
  const m = quintileScores(scored.map((c) => c.monetary));
  return scored.map((c, i) => {
    const recency = r[i]!;
    const frequency = f[i]!;
    const monetary = m[i]!;
    return { id: c.id, recency, frequency, monetary, group: rfmGroupOf(recency, frequency, monetary) };
  });
}
