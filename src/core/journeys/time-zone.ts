import { asEpochMs, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, type EpochMs } from '../brand.js';
import { civilFromDays, daysFromCivil, type EpochDay } from '../stats/civil-date.js';

/** A wall-clock reading in some time zone. `weekday`: Sunday = 0. */
export interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly weekday: number;
}

// Formatters are costly to build and the set of zones is small: memoised per zone (a cache, not state).
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterOf(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Weekday of a day number (1970-01-01 was a Thursday). */
export const weekdayOf = (day: EpochDay): number => (((day + 4) % 7) + 7) % 7;

/**
 * The wall-clock time at an instant in an IANA time zone.
 * @example toLocalTime(asEpochMs(0), 'Europe/Istanbul') // { year: 1970, month: 1, day: 1, hour: 2, … }
 */
export function toLocalTime(at: EpochMs, timeZone: string): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterOf(timeZone).formatToParts(at)) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  return {
    year,
    month,
    day,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    weekday: weekdayOf(daysFromCivil(year, month, day)),
  };
}

/** The local day number (days since 1970-01-01 on the zone's calendar) of an instant. */
export function localDayOf(at: EpochMs, timeZone: string): EpochDay {
  const t = toLocalTime(at, timeZone);
  return daysFromCivil(t.year, t.month, t.day);
}

/** The zone's offset from UTC at an instant, in ms (Istanbul: +3 h). Seconds are dropped. */
export function offsetAt(at: number, timeZone: string): number {
  const t = toLocalTime(asEpochMs(at), timeZone);
  const asUtc =
    daysFromCivil(t.year, t.month, t.day) * MS_PER_DAY + t.hour * MS_PER_HOUR + t.minute * MS_PER_MINUTE;
  return asUtc - Math.floor(at / MS_PER_MINUTE) * MS_PER_MINUTE;
}

/**
 * The instant a local day and minute of day happen in a time zone. A wall time skipped by a DST
 * change (02:30 on the spring-forward night in New York) resolves to the same distance after the gap
 * (03:30); a repeated one (01:30 on the fall-back night) to its first occurrence.
 * @example atLocalMinute(daysFromCivil(2025, 1, 1), 9 * 60, 'Europe/Istanbul') // 2025-01-01T06:00Z
 */
export function atLocalMinute(day: EpochDay, minuteOfDay: number, timeZone: string): EpochMs {
  const naive = day * MS_PER_DAY + minuteOfDay * MS_PER_MINUTE;
  // Offsets on either side of any transition near this wall time (zones change at most once a day).
  const before = offsetAt(naive - 14 * MS_PER_HOUR, timeZone);
  const after = offsetAt(naive + 14 * MS_PER_HOUR, timeZone);
  const candidates = [naive - before, naive - after].filter((t) => offsetAt(t, timeZone) === naive - t);
  if (candidates.length > 0) return asEpochMs(Math.min(...candidates));
  return asEpochMs(naive - before); // in a gap: the clock had not yet jumped, so keep counting forward
}

/** The start (local midnight) of a local day, as an instant. */
export const startOfLocalDay = (day: EpochDay, timeZone: string): EpochMs => atLocalMinute(day, 0, timeZone);

/** Minutes since local midnight of an instant. */
export function localMinuteOf(at: EpochMs, timeZone: string): number {
  const t = toLocalTime(at, timeZone);
  return t.hour * 60 + t.minute;
}

export { civilFromDays, daysFromCivil };
