import { asEpochMs, type EpochMs } from '../brand.js';
import { asEpochDay, civilFromDays, daysFromCivil } from '../stats/civil-date.js';
import { toDateMs } from '../segments/values.js';
import { durationMs, minutesOfDay } from './durations.js';
import { atLocalMinute, localDayOf, weekdayOf } from './time-zone.js';
import type { Schedule, Trigger } from './triggers.js';

/** The values a cron field allows, within [min, max]. */
function cronValues(field: string, min: number, max: number): ReadonlySet<number> {
  const out = new Set<number>();
  for (const part of field.split(',')) {
    const [range = '*', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Math.max(1, Number(stepText));
    const [from, to] = range === '*' ? [min, max] : range.split('-').map(Number);
    const last = range.includes('-') || range === '*' ? (to ?? max) : stepText === undefined ? from! : max;
    for (let v = from ?? min; v <= Math.min(last, max); v += step) if (v >= min) out.add(v);
  }
  return out;
}

/** The first instant after `after` that a five-field cron expression names, in a time zone (a year ahead at most). */
function nextCron(expression: string, after: EpochMs, timeZone: string): EpochMs | undefined {
  const [m = '*', h = '*', dom = '*', mon = '*', dow = '*'] = expression.trim().split(/\s+/);
  const minutes = [...cronValues(m, 0, 59)].sort((a, b) => a - b);
  const hours = [...cronValues(h, 0, 23)].sort((a, b) => a - b);
  const days = cronValues(dom, 1, 31);
  const months = cronValues(mon, 1, 12);
  const weekdays = new Set([...cronValues(dow, 0, 7)].map((d) => d % 7));
  // POSIX: when both day fields are restricted, either may match.
  const either = dom !== '*' && dow !== '*';
  const start = localDayOf(after, timeZone);
  for (let d = start; d <= start + 366; d++) {
    const { month, day } = civilFromDays(asEpochDay(d));
    if (!months.has(month)) continue;
    const byDay = days.has(day);
    const byWeekday = weekdays.has(weekdayOf(asEpochDay(d)));
    if (either ? !(byDay || byWeekday) : !(byDay && byWeekday)) continue;
    for (const hour of hours) {
      for (const minute of minutes) {
        const at = atLocalMinute(asEpochDay(d), hour * 60 + minute, timeZone);
        if (at > after) return at;
      }
    }
  }
  return undefined;
}

/**
 * The next time a scheduled broadcast goes out after `after`, for a recipient in `timeZone` (the
 * workspace zone when the schedule is not in recipients' local time). `undefined` when it never will.
 * @example nextScheduledTime({ kind: 'cron', expression: '0 9 * * 1' }, after, 'Europe/Istanbul') // next Monday 09:00
 */
export function nextScheduledTime(schedule: Schedule, after: EpochMs, timeZone: string): EpochMs | undefined {
  switch (schedule.kind) {
    case 'once': {
      const local = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(schedule.at);
      const at = local
        ? atLocalMinute(
            daysFromCivil(Number(local[1]), Number(local[2]), Number(local[3])),
            Number(local[4]) * 60 + Number(local[5]),
            timeZone,
          )
        : asEpochMs(toDateMs(schedule.at) ?? Number.NaN);
      return at > after ? at : undefined;
    }
    case 'interval': {
      const first = toDateMs(schedule.startAt) ?? after;
      const every = durationMs(schedule.every);
      if (after < first) return asEpochMs(first);
      if (every <= 0) return undefined;
      return asEpochMs(first + (Math.floor((after - first) / every) + 1) * every);
    }
    case 'cron':
      return nextCron(schedule.expression, after, timeZone);
  }
}

/**
 * The next time a date-trait trigger (birthday, anniversary) fires for a person: the yearly anniversary
 * of the trait's date, `daysBefore` earlier, at the local time. 29 February is kept on 28 February in
 * other years. `undefined` when the trait holds no date.
 * @example nextDateTriggerTime(trigger, { birthday: '1990-05-04' }, after, 'Europe/Istanbul') // 4 May 09:00 local
 */
export function nextDateTriggerTime(
  trigger: Extract<Trigger, { type: 'date_trait' }>,
  traits: Readonly<Record<string, unknown>>,
  context: { readonly after: EpochMs; readonly timeZone: string },
): EpochMs | undefined {
  const ms = toDateMs(traits[trigger.trait]);
  if (ms === undefined) return undefined;
  const { month, day } = civilFromDays(asEpochDay(Math.floor(ms / 86_400_000)));
  const { year } = civilFromDays(localDayOf(context.after, context.timeZone));
  for (let y = year; y <= year + 2; y++) {
    const isLeap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
    const date =
      daysFromCivil(y, month, month === 2 && day === 29 && !isLeap ? 28 : day) - trigger.daysBefore;
    const at = atLocalMinute(asEpochDay(date), minutesOfDay(trigger.at), context.timeZone);
    if (at > context.after) return at;
  }
  return undefined;
}
