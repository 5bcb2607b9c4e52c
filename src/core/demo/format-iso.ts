import { MS_PER_DAY } from '../brand.js';
import {
  asEpochDay,
  civilFromDays as civilFromEpochDay,
  daysFromCivil as epochDayFromCivil,
} from '../stats/civil-date.js';

/**
 * Calendar formatting by arithmetic, so the pure core never needs the `Date` global. The day ↔ date
 * conversion is `stats/civil-date.ts` (Howard Hinnant's algorithms), exact for the proleptic Gregorian
 * calendar.
 */

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * The calendar date of a day count since 1970-01-01 (the statistics module's Hinnant conversion).
 * @example civilFromDays(0); // { year: 1970, month: 1, day: 1 }
 */
export const civilFromDays = (days: number): CivilDate => civilFromEpochDay(asEpochDay(days));

/**
 * The day count since 1970-01-01 of a calendar date (inverse of `civilFromDays`).
 * @example daysFromCivil(2000, 3, 1); // 11017
 */
export const daysFromCivil = (year: number, month: number, day: number): number =>
  epochDayFromCivil(year, month, day);

const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;
const pad3 = (n: number): string => (n < 10 ? '00' : n < 100 ? '0' : '') + n;
const pad4 = (n: number): string => (n < 10 ? '000' : n < 100 ? '00' : n < 1000 ? '0' : '') + n;

/**
 * `yyyy-mm-dd` of a day count since 1970-01-01 (years 0–9999).
 * @example formatDay(19797); // '2024-03-14'
 */
export function formatDay(days: number): string {
  const { year, month, day } = civilFromDays(days);
  return `${pad4(year)}-${pad2(month)}-${pad2(day)}`;
}

/**
 * ISO-8601 in UTC with milliseconds, the same string `Date#toISOString` gives (years 0–9999).
 * @example formatIso(0); // '1970-01-01T00:00:00.000Z'
 */
export function formatIso(epochMs: number): string {
  const ms = Math.floor(epochMs);
  const days = Math.floor(ms / MS_PER_DAY);
  return `${formatDay(days)}T${formatTimeOfDay(ms - days * MS_PER_DAY)}`;
}

/** `HH:mm:ss.sssZ` of a millisecond within a day. */
function formatTimeOfDay(msOfDay: number): string {
  const hours = Math.floor(msOfDay / 3_600_000);
  let rest = msOfDay - hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${pad3(rest - seconds * 1000)}Z`;
}

/**
 * `formatIso` that remembers the last day's date, for streams of timestamps that mostly share a day.
 * @example const format = createIsoFormatter(); format(0); // '1970-01-01T00:00:00.000Z'
 */
export function createIsoFormatter(): (epochMs: number) => string {
  let lastDay = NaN;
  let lastPrefix = '';
  return (epochMs) => {
    const ms = Math.floor(epochMs);
    const days = Math.floor(ms / MS_PER_DAY);
    if (days !== lastDay) {
      lastDay = days;
      lastPrefix = `${formatDay(days)}T`;
    }
    return lastPrefix + formatTimeOfDay(ms - days * MS_PER_DAY);
  };
}
