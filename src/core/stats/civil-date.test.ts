import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochDay, civilFromDays, daysFromCivil, formatIsoDate, parseCivilDate } from './civil-date.js';

const MS_PER_DAY = 86_400_000;

test('daysFromCivil agrees with Date.UTC and civilFromDays inverts it, 1600–2400', () => {
  for (let days = -135_000; days <= 157_000; days += 1) {
    const d = new Date(days * MS_PER_DAY);
    const civil = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    assert.equal(daysFromCivil(civil.year, civil.month, civil.day), days);
    if (days % 997 === 0) assert.deepEqual(civilFromDays(asEpochDay(days)), civil);
  }
});

test('the CDNOW calibration period is 272 days from 1997-01-01 to 1997-09-30', () => {
  assert.equal(daysFromCivil(1997, 1, 1), 9862);
  assert.equal(daysFromCivil(1997, 9, 30) - daysFromCivil(1997, 1, 1), 272);
});

test('parseCivilDate reads both formats and rejects impossible dates', () => {
  assert.equal(parseCivilDate('19970930', 'yyyymmdd'), 10134);
  assert.equal(parseCivilDate('1997-09-30', 'iso'), 10134);
  assert.equal(parseCivilDate('1997-09-30T12:00:00Z', 'iso'), 10134);
  assert.equal(parseCivilDate('2000-02-29', 'iso'), daysFromCivil(2000, 2, 29));
  for (const bad of ['19970230', '19971301', '1997093', 'abcdefgh', '19970900']) {
    assert.equal(parseCivilDate(bad, 'yyyymmdd'), undefined, bad);
  }
  assert.equal(parseCivilDate('1900-02-29', 'iso'), undefined);
  assert.equal(parseCivilDate('19970930', 'iso'), undefined);
});

test('formatIsoDate writes yyyy-mm-dd', () => {
  assert.equal(formatIsoDate(asEpochDay(10134)), '1997-09-30');
  assert.equal(formatIsoDate(asEpochDay(0)), '1970-01-01');
});
