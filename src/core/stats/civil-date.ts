import type { Brand } from '../brand.js';

/** Whole days since 1970-01-01 (proleptic Gregorian, no time zone): the unit of a transaction date. */
export type EpochDay = Brand<number, 'EpochDay'>;

/** Brands a whole number of days since 1970-01-01 as an {@link EpochDay}. @example asEpochDay(10134) */
export const asEpochDay = (n: number): EpochDay => n as EpochDay;

/** Days per week: every time in the CLV models is in weeks, as in Fader, Hardie & Lee (2005). */
export const DAYS_PER_WEEK = 7;

/**
 * Days since the epoch of a civil date, without `Date` (the core never touches the clock).
 * Howard Hinnant's `days_from_civil` (chrono-Compatible Low-Level Date Algorithms, 2013).
 * @example daysFromCivil(1997, 1, 1); // 9862
 */
export function daysFromCivil(year: number, month: number, day: number): EpochDay {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // [0, 399]
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1; // [0, 365]
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // [0, 146096]
  return asEpochDay(era * 146097 + doe - 719468);
}

/**
 * The civil date of a day number: the inverse of {@link daysFromCivil} (Hinnant's `civil_from_days`).
 * @example civilFromDays(asEpochDay(9862)); // { year: 1997, month: 1, day: 1 }
 */
export function civilFromDays(days: EpochDay): {
  readonly year: number;
  readonly month: number;
  readonly day: number;
} {
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

/** How a date is written in a transaction log. */
export type DateFormat = 'yyyymmdd' | 'iso';

/** Offsets of year, month and day digits (and of the `-` separators) in each format. */
const LAYOUTS: Readonly<Record<DateFormat, { readonly length: number; readonly dashes: readonly number[] }>> =
  {
    yyyymmdd: { length: 8, dashes: [] },
    iso: { length: 10, dashes: [4, 7] },
  };

const isLeapYear = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** The number written by the ASCII digits text[from, to), or NaN. */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Parses `19970930` (`yyyymmdd`) or `1997-09-30` (`iso`, where a time part after the date such
 * as `T12:00:00Z` is ignored) into a day number; `undefined` when the text is not a valid calendar
 * date (month 13, 30 February…). Hand-rolled rather than a RegExp: it runs once per log line.
 * @example parseCivilDate('19970930', 'yyyymmdd'); // 10134
 */
export function parseCivilDate(text: string, format: DateFormat): EpochDay | undefined {
  const s = text.trim();
  const { length, dashes } = LAYOUTS[format];
  if (
    s.length !== length &&
    !(format === 'iso' && s.length > length && (s[length] === 'T' || s[length] === ' '))
  ) {
    return undefined;
  }
  if (dashes.some((at) => s[at] !== '-')) return undefined;
  const dash = dashes.length === 0 ? 0 : 1;
  const year = digits(s, 0, 4);
  const month = digits(s, 4 + dash, 6 + dash);
  const day = digits(s, 6 + 2 * dash, 8 + 2 * dash);
  if (!(month >= 1 && month <= 12 && day >= 1)) return undefined; // NaN fails too
  const monthLength = month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month - 1]!;
  return day <= monthLength ? daysFromCivil(year, month, day) : undefined;
}

/**
 * Writes a day number as an ISO 8601 calendar date.
 * @example formatIsoDate(asEpochDay(10134)); // '1997-09-30'
 */
export function formatIsoDate(days: EpochDay): string {
  const { year, month, day } = civilFromDays(days);
  const pad = (n: number, w: number): string => String(n).padStart(w, '0');
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`;
}
