import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MS_PER_HOUR } from '../brand.js';
import { asEpochDay, daysFromCivil } from '../stats/civil-date.js';
import { at } from './fixtures.js';
import { atLocalMinute, localDayOf, offsetAt, toLocalTime } from './time-zone.js';

test('Istanbul is UTC+3 all year (no DST since 2016)', () => {
  assert.equal(offsetAt(at('2025-01-15T12:00:00Z'), 'Europe/Istanbul'), 3 * MS_PER_HOUR);
  assert.equal(offsetAt(at('2025-07-15T12:00:00Z'), 'Europe/Istanbul'), 3 * MS_PER_HOUR);
  assert.equal(
    atLocalMinute(daysFromCivil(2025, 3, 30), 9 * 60, 'Europe/Istanbul'),
    at('2025-03-30T06:00:00Z'),
  );
});

test('local time, day and weekday of an instant', () => {
  const t = toLocalTime(at('2025-03-09T04:30:00Z'), 'America/New_York');
  assert.deepEqual(t, { year: 2025, month: 3, day: 8, hour: 23, minute: 30, second: 0, weekday: 6 });
  assert.equal(localDayOf(at('2025-03-09T04:30:00Z'), 'America/New_York'), daysFromCivil(2025, 3, 8));
});

test('New York spring forward: 02:30 does not exist and resolves after the gap', () => {
  const day = daysFromCivil(2025, 3, 9);
  assert.equal(atLocalMinute(day, 150, 'America/New_York'), at('2025-03-09T07:30:00Z')); // 03:30 EDT
  assert.equal(atLocalMinute(day, 60, 'America/New_York'), at('2025-03-09T06:00:00Z')); // 01:00 EST
  assert.equal(atLocalMinute(day, 9 * 60, 'America/New_York'), at('2025-03-09T13:00:00Z')); // 09:00 EDT
});

test('New York fall back: 01:30 happens twice and resolves to the first', () => {
  const day = daysFromCivil(2025, 11, 2);
  assert.equal(atLocalMinute(day, 90, 'America/New_York'), at('2025-11-02T05:30:00Z')); // 01:30 EDT
  assert.equal(atLocalMinute(day, 9 * 60, 'America/New_York'), at('2025-11-02T14:00:00Z')); // 09:00 EST
});

test('London: BST starts at 01:00 on the last Sunday of March', () => {
  const day = daysFromCivil(2025, 3, 30);
  assert.equal(atLocalMinute(day, 0, 'Europe/London'), at('2025-03-30T00:00:00Z'));
  assert.equal(atLocalMinute(day, 90, 'Europe/London'), at('2025-03-30T01:30:00Z')); // gap: 02:30 BST
  assert.equal(atLocalMinute(day, 8 * 60, 'Europe/London'), at('2025-03-30T07:00:00Z'));
  assert.equal(offsetAt(at('2025-10-26T01:30:00Z'), 'Europe/London'), 0);
});

test('round trip: every local minute of a year maps back to itself outside gaps', () => {
  for (const zone of ['America/New_York', 'Europe/London', 'Europe/Istanbul', 'Australia/Lord_Howe']) {
    for (let d: number = daysFromCivil(2025, 1, 1); d < daysFromCivil(2026, 1, 1); d += 3) {
      const t = atLocalMinute(asEpochDay(d), 8 * 60 + 15, zone);
      const local = toLocalTime(t, zone);
      assert.equal(local.hour * 60 + local.minute, 8 * 60 + 15, `${zone} day ${d}`);
    }
  }
});
