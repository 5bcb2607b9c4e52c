import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDelayUntil, type DelayContext } from './delays.js';
import { at, sampleProfile } from './fixtures.js';

const ctx = (iso: string, timeZone = 'Europe/Istanbul', triggerProperties: unknown = {}): DelayContext => ({
  now: at(iso),
  profile: sampleProfile({ trialEndsAt: '2025-01-20' }),
  triggerProperties,
  timeZone,
});

test('a duration counts from now', () => {
  const until = computeDelayUntil(
    { kind: 'duration', duration: { amount: 2, unit: 'days' } },
    ctx('2025-01-06T10:00:00Z'),
  );
  assert.equal(until, at('2025-01-08T10:00:00Z'));
});

test('until a time of day: today if still ahead, else tomorrow; only on allowed weekdays', () => {
  const spec = { kind: 'time_of_day', at: '10:00' } as const;
  assert.equal(computeDelayUntil(spec, ctx('2025-01-06T05:00:00Z')), at('2025-01-06T07:00:00Z'));
  assert.equal(computeDelayUntil(spec, ctx('2025-01-06T08:00:00Z')), at('2025-01-07T07:00:00Z'));
  // Friday 10 January 12:00 Istanbul → Monday 13 January 10:00.
  const weekdays = { ...spec, weekdays: ['mon', 'tue', 'wed', 'thu'] as const };
  assert.equal(
    computeDelayUntil({ ...weekdays, weekdays: [...weekdays.weekdays] }, ctx('2025-01-10T09:00:00Z')),
    at('2025-01-13T07:00:00Z'),
  );
});

test('until a time of day in New York across the spring-forward night keeps 09:00 local', () => {
  const until = computeDelayUntil(
    { kind: 'time_of_day', at: '09:00' },
    ctx('2025-03-08T20:00:00Z', 'America/New_York'),
  );
  assert.equal(until, at('2025-03-09T13:00:00Z'));
});

test('until a date from a trait, 3 days before, at 10:00 local', () => {
  const until = computeDelayUntil(
    { kind: 'date', source: 'trait', path: 'trialEndsAt', offset: { amount: -3, unit: 'days' }, at: '10:00' },
    ctx('2025-01-06T10:00:00Z'),
  );
  assert.equal(until, at('2025-01-17T07:00:00Z'));
});

test('until a date from the trigger event; a missing or past date goes on at once', () => {
  const now = '2025-01-06T10:00:00Z';
  const spec = {
    kind: 'date',
    source: 'trigger',
    path: 'deliveryAt',
    offset: { amount: 2, unit: 'hours' },
  } as const;
  assert.equal(
    computeDelayUntil(spec, ctx(now, 'UTC', { deliveryAt: '2025-01-07T09:30:00Z' })),
    at('2025-01-07T11:30:00Z'),
  );
  assert.equal(computeDelayUntil(spec, ctx(now, 'UTC', {})), at(now));
  assert.ok(computeDelayUntil(spec, ctx(now, 'UTC', { deliveryAt: '2024-01-01' })) < at(now));
});
