import { MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE } from '../brand.js';
import type { Random } from '../random.js';
import { drawWeighted, weightTable } from './sampling.js';

/**
 * When a person visits: sessions cluster around a few active days, fall more often on weekends,
 * and peak in the evening of the person's own time zone.
 */

/** Relative traffic by local hour: a quiet night, a lunch bump, an evening peak around 20:00. */
const HOUR_WEIGHTS = [
  0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.5, 0.9, 1.3, 1.6, 1.8, 2, 2.3, 2.2, 1.9, 1.8, 1.9, 2.2, 2.8, 3.4, 3.8,
  3.6, 2.8, 1.6,
];
/** Relative traffic by local weekday, Sunday first. */
const WEEKDAY_WEIGHTS = [1.35, 0.95, 0.9, 0.9, 0.95, 1.05, 1.3];
const MAX_WEEKDAY_WEIGHT = Math.max(...WEEKDAY_WEIGHTS);
const HOURS = weightTable(
  HOUR_WEIGHTS.map((_w, hour) => hour),
  (hour) => HOUR_WEIGHTS[hour] ?? 0,
);
/** Days after a cluster's first day on which its further sessions fall. */
const CLUSTER_OFFSETS = weightTable([0, 1, 2, 3, 5], (_d, i) => [55, 25, 10, 6, 4][i] ?? 0);

/** Sessions leave this much room before `end`, so that most of them play out in full. */
const END_MARGIN_MS = 15 * MS_PER_MINUTE;

export interface ScheduleInput {
  /** How many sessions to place. */
  readonly count: number;
  readonly windowStart: number;
  readonly end: number;
  /** The person's offset from UTC, for local hours and weekdays. */
  readonly utcOffsetHours: number;
}

/** Day of the week of a day count since 1970-01-01 (a Thursday), Sunday = 0. */
export const weekdayOf = (day: number): number => (((day + 4) % 7) + 7) % 7;

function drawDay(rng: Random, first: number, last: number): number {
  for (let tries = 0; tries < 8; tries++) {
    const day = first + Math.floor(rng.next() * (last - first + 1));
    if (rng.next() * MAX_WEEKDAY_WEIGHT < (WEEKDAY_WEIGHTS[weekdayOf(day)] ?? 1)) return day;
  }
  return first + Math.floor(rng.next() * (last - first + 1));
}

/**
 * Session start times in UTC milliseconds, sorted, all within `[windowStart, end − 15 min]`.
 * @example scheduleSessions(rng, { count: 3, windowStart: 0, end: 28 * MS_PER_DAY, utcOffsetHours: 3 });
 * // [ 431_652_118, 436_918_447, 1_503_722_090 ]
 */
export function scheduleSessions(rng: Random, input: ScheduleInput): number[] {
  const offset = input.utcOffsetHours * MS_PER_HOUR;
  const latest = Math.max(input.windowStart, input.end - END_MARGIN_MS);
  const firstDay = Math.floor((input.windowStart + offset) / MS_PER_DAY);
  const lastDay = Math.floor((latest + offset) / MS_PER_DAY);
  const clusters: number[] = [];
  const clusterCount = Math.max(1, Math.round(input.count / (1.5 + rng.next() * 2.5)));
  for (let i = 0; i < clusterCount; i++) clusters.push(drawDay(rng, firstDay, lastDay));
  const starts: number[] = [];
  for (let i = 0; i < input.count; i++) {
    const center = clusters[Math.floor(rng.next() * clusters.length)] ?? firstDay;
    let at = -1;
    for (let tries = 0; tries < 6 && (at < input.windowStart || at > latest); tries++) {
      const day = tries < 3 ? center + drawWeighted(rng, CLUSTER_OFFSETS) : drawDay(rng, firstDay, lastDay);
      at = day * MS_PER_DAY + (drawWeighted(rng, HOURS) + rng.next()) * MS_PER_HOUR - offset;
    }
    if (at < input.windowStart || at > latest)
      at = input.windowStart + rng.next() * (latest - input.windowStart);
    starts.push(Math.floor(at));
  }
  return starts.sort((a, b) => a - b);
}
