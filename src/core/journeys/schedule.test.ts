import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at } from './fixtures.js';
import { nextDateTriggerTime, nextScheduledTime } from './schedule.js';

test('once: an instant, or a local date-time read in each recipient zone', () => {
  const after = at('2025-01-01T00:00:00Z');
  assert.equal(
    nextScheduledTime({ kind: 'once', at: '2025-02-01T09:00:00Z' }, after, 'UTC'),
    at('2025-02-01T09:00:00Z'),
  );
  const local = { kind: 'once', at: '2025-02-01T09:00' } as const;
  assert.equal(nextScheduledTime(local, after, 'Europe/Istanbul'), at('2025-02-01T06:00:00Z'));
  assert.equal(nextScheduledTime(local, after, 'America/New_York'), at('2025-02-01T14:00:00Z'));
  assert.equal(nextScheduledTime(local, at('2025-03-01T00:00:00Z'), 'UTC'), undefined);
});

test('interval: the next multiple after the start', () => {
  const s = {
    kind: 'interval',
    every: { amount: 6, unit: 'hours' },
    startAt: '2025-01-01T00:00:00Z',
  } as const;
  assert.equal(nextScheduledTime(s, at('2024-12-01T00:00:00Z'), 'UTC'), at('2025-01-01T00:00:00Z'));
  assert.equal(nextScheduledTime(s, at('2025-01-01T07:00:00Z'), 'UTC'), at('2025-01-01T12:00:00Z'));
  assert.equal(nextScheduledTime(s, at('2025-01-01T12:00:00Z'), 'UTC'), at('2025-01-01T18:00:00Z'));
});

test('cron: Mondays at 09:00 local; lists, ranges and steps; across the New York DST change', () => {
  const monday9 = { kind: 'cron', expression: '0 9 * * 1' } as const;
  assert.equal(
    nextScheduledTime(monday9, at('2025-01-08T00:00:00Z'), 'Europe/Istanbul'),
    at('2025-01-13T06:00:00Z'),
  );
  assert.equal(
    nextScheduledTime(monday9, at('2025-03-08T00:00:00Z'), 'America/New_York'),
    at('2025-03-10T13:00:00Z'),
  );
  const steps = { kind: 'cron', expression: '*/30 8-9 1,15 * *' } as const;
  assert.equal(nextScheduledTime(steps, at('2025-01-01T08:10:00Z'), 'UTC'), at('2025-01-01T08:30:00Z'));
  assert.equal(nextScheduledTime(steps, at('2025-01-01T09:30:00Z'), 'UTC'), at('2025-01-15T08:00:00Z'));
});

test('date trait: the next birthday at 09:00 local, days before, 29 February', () => {
  const trigger = { type: 'date_trait', trait: 'birthday', at: '09:00', daysBefore: 0 } as const;
  const ctx = { after: at('2025-01-06T00:00:00Z'), timeZone: 'Europe/Istanbul' };
  assert.equal(nextDateTriggerTime(trigger, { birthday: '1990-05-04' }, ctx), at('2025-05-04T06:00:00Z'));
  assert.equal(nextDateTriggerTime(trigger, { birthday: '1990-01-05' }, ctx), at('2026-01-05T06:00:00Z'));
  assert.equal(
    nextDateTriggerTime({ ...trigger, daysBefore: 3 }, { birthday: '1990-05-04' }, ctx),
    at('2025-05-01T06:00:00Z'),
  );
  assert.equal(nextDateTriggerTime(trigger, { birthday: '1992-02-29' }, ctx), at('2025-02-28T06:00:00Z'));
  assert.equal(nextDateTriggerTime(trigger, {}, ctx), undefined);
});
