import { MS_PER_DAY } from '../brand.js';

/**
 * Calendar formatting by arithmetic, so the pure core never needs the `Date` global.
 * `civilFromDays` is Howard Hinnant's algorithm (https://howardhinnant.github.io/date_algorithms.html),
 * exact for the proleptic Gregorian calendar.
 */

export interface CivilDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/**
 * The calendar date of a day count since 1970-01-01.
 * @example civilFromDays(0); // { year: 1970, month: 1, day: 1 }
 */
export function civilFromDays(days: number): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

/**
 * The day count since 1970-01-01 of a calendar date (inverse of `civilFromDays`).
 * @example daysFromCivil(2000, 3, 1); // 11017
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

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
