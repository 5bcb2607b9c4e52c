import { DAYS_PER_WEEK, type EpochDay } from './civil-date.js';
import type { Transaction } from './transactions.js';

/**
 * One customer's calibration-period summary, the sufficient statistics of the BG/NBD and
 * Gamma-Gamma models. Times are in weeks.
 */
export interface CustomerSummary {
  readonly id: string;
  /** x: repeat purchase days (purchases on the same day count once). */
  readonly frequency: number;
  /** t_x: weeks from the first to the last purchase. */
  readonly recency: number;
  /** T: weeks from the first purchase to the end of calibration. */
  readonly T: number;
  /** z̄: mean value of the repeat purchase days; 0 when x = 0. */
  readonly monetary: number;
}

/** The end of the calibration period: transactions after it are ignored. */
export interface SummaryOptions {
  readonly calibrationEnd: EpochDay;
}

interface Tally {
  first: number;
  last: number;
  firstDayValue: number;
  total: number;
  days: Set<number>;
}

/**
 * Summarises a log per customer as Fader, Hardie & Lee (2005) and the `lifetimes` library do:
 * purchases on one day merge into one transaction (their values summed), x counts the days after
 * the first, t_x and T are measured from the first purchase in weeks (days / 7), and z̄ averages
 * the repeat days only (Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary Value": the
 * first purchase is left out). Customers whose first purchase falls after the calibration end
 * are left out; the rest come in order of first appearance in the log.
 * @example summarizeCustomers(transactions, { calibrationEnd: daysFromCivil(1997, 9, 30) });
 */
export function summarizeCustomers(
  transactions: readonly Transaction[],
  options: SummaryOptions,
): CustomerSummary[] {
  const tallies = new Map<string, Tally>();
  for (const { customerId, day, amount } of transactions) {
    if (day > options.calibrationEnd) continue;
    const tally = tallies.get(customerId);
    if (tally === undefined) {
      tallies.set(customerId, {
        first: day,
        last: day,
        firstDayValue: amount,
        total: amount,
        days: new Set([day]),
      });
      continue;
    }
    tally.total += amount;
    tally.days.add(day);
    if (day === tally.first) {
      tally.firstDayValue += amount;
    } else if (day < tally.first) {
      tally.first = day; // an unsorted log: an earlier day becomes the first purchase
      tally.firstDayValue = amount;
    }
    if (day > tally.last) tally.last = day;
  }
  const out: CustomerSummary[] = [];
  for (const [id, t] of tallies) {
    const frequency = t.days.size - 1;
    out.push({
      id,
      frequency,
      recency: (t.last - t.first) / DAYS_PER_WEEK,
      T: (options.calibrationEnd - t.first) / DAYS_PER_WEEK,
      monetary: frequency === 0 ? 0 : (t.total - t.firstDayValue) / frequency,
    });
  }
  return out;
}

/**
 * The latest purchase day in a log: the default calibration end when none is given.
 * @example lastTransactionDay(transactions); // e.g. 10407 (1998-06-30) for CDNOW
 */
export function lastTransactionDay(transactions: readonly Transaction[]): EpochDay | undefined {
  let last: EpochDay | undefined;
  for (const { day } of transactions) if (last === undefined || day > last) last = day;
  return last;
}
