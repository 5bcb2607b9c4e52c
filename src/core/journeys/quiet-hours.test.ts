import assert from 'node:assert/strict';
import { test } from 'node:test';
import { at } from './fixtures.js';
import { DEFAULT_QUIET_HOURS, isQuietAt, nextAllowedInstant, quietWindowFor } from './quiet-hours.js';

const night = DEFAULT_QUIET_HOURS.default;

test('outside quiet hours a send goes now', () => {
  const noon = at('2025-01-06T09:00:00Z'); // 12:00 in Istanbul
  assert.equal(nextAllowedInstant(noon, night, 'Europe/Istanbul'), noon);
});

test('late evening waits for 08:00 the next morning; early morning for 08:00 the same day', () => {
  assert.equal(
    nextAllowedInstant(at('2025-01-06T19:30:00Z'), night, 'Europe/Istanbul'),
    at('2025-01-07T05:00:00Z'),
  );
  assert.equal(
    nextAllowedInstant(at('2025-01-06T02:00:00Z'), night, 'Europe/Istanbul'),
    at('2025-01-06T05:00:00Z'),
  );
  assert.equal(
    nextAllowedInstant(at('2025-01-06T18:00:00Z'), night, 'Europe/Istanbul'),
    at('2025-01-07T05:00:00Z'),
  );
  assert.equal(
    nextAllowedInstant(at('2025-01-06T05:00:00Z'), night, 'Europe/Istanbul'),
    at('2025-01-06T05:00:00Z'),
  );
});

test('a window inside one day (13:00–14:00) and an empty one', () => {
  const lunch = { start: '13:00', end: '14:00' };
  assert.equal(nextAllowedInstant(at('2025-01-06T13:15:00Z'), lunch, 'UTC'), at('2025-01-06T14:00:00Z'));
  assert.equal(nextAllowedInstant(at('2025-01-06T14:00:00Z'), lunch, 'UTC'), at('2025-01-06T14:00:00Z'));
  assert.equal(isQuietAt(at('2025-01-06T03:00:00Z'), { start: '08:00', end: '08:00' }, 'UTC'), false);
});

test('per-channel overrides: sms 20:00–09:00, push none', () => {
  const hours = { ...DEFAULT_QUIET_HOURS, channels: { sms: { start: '20:00', end: '09:00' }, push: null } };
  assert.deepEqual(quietWindowFor(hours, 'sms'), { start: '20:00', end: '09:00' });
  assert.equal(quietWindowFor(hours, 'push'), undefined);
  assert.deepEqual(quietWindowFor(hours, 'email'), night);
});

test('New York spring forward night: 23:00 EST waits for 08:00 EDT (one hour less of night)', () => {
  const evening = at('2025-03-09T04:00:00Z'); // 23:00 EST on 8 March
  assert.equal(nextAllowedInstant(evening, night, 'America/New_York'), at('2025-03-09T12:00:00Z'));
});

test('New York fall back night: 22:00 EDT waits for 08:00 EST', () => {
  const evening = at('2025-11-02T02:00:00Z'); // 22:00 EDT on 1 November
  assert.equal(nextAllowedInstant(evening, night, 'America/New_York'), at('2025-11-02T13:00:00Z'));
});

test('London: a window ending in the skipped hour ends after the jump', () => {
  const window = { start: '23:00', end: '01:30' };
  // 00:30 GMT on 30 March 2025; 01:30 local does not exist (clocks go 01:00 → 02:00), so 02:30 BST.
  assert.equal(
    nextAllowedInstant(at('2025-03-30T00:30:00Z'), window, 'Europe/London'),
    at('2025-03-30T01:30:00Z'),
  );
});
