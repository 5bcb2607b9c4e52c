import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs, MS_PER_DAY, MS_PER_HOUR } from '../brand.js';
import { at } from './fixtures.js';
import {
  capRuleSchema,
  evaluateCaps,
  type CapBehaviour,
  type CapRule,
  type RecentSend,
} from './frequency-caps.js';

const rules: CapRule[] = [
  capRuleSchema.parse({ id: 'daily', max: 1, window: { amount: 24, unit: 'hours' } }),
  capRuleSchema.parse({ id: 'weekly', max: 3, window: { amount: 7, unit: 'days' } }),
  capRuleSchema.parse({
    id: 'sms-weekly',
    max: 1,
    window: { amount: 7, unit: 'days' },
    channel: 'sms',
    category: 'all',
  }),
];
const now = at('2025-01-10T12:00:00Z');
const wait = { onCap: 'wait' as const, waitUntil: asEpochMs(now + 30 * MS_PER_DAY) };
const marketing = (iso: string, channel: RecentSend['channel'] = 'email'): RecentSend => ({
  at: at(iso),
  channel,
  category: 'marketing',
});
const check = (
  sends: RecentSend[],
  message: Pick<RecentSend, 'channel' | 'category'> = { channel: 'email', category: 'marketing' },
  behaviour: CapBehaviour = wait,
) => evaluateCaps(rules, message, { now, timeZone: 'UTC', recentSends: sends, behaviour });

test('no recent sends: allowed', () => {
  assert.deepEqual(check([]), { decision: 'allow' });
});

test('one marketing message in the last 24 h defers until it is 24 h old', () => {
  assert.deepEqual(check([marketing('2025-01-10T08:00:00Z')]), {
    decision: 'defer',
    until: at('2025-01-11T08:00:00Z'),
    ruleId: 'daily',
  });
});

test('three in 7 days defers until the oldest leaves the week, and the daily cap still holds then', () => {
  const sends = [
    marketing('2025-01-04T10:00:00Z'),
    marketing('2025-01-06T10:00:00Z'),
    marketing('2025-01-09T06:00:00Z'),
  ];
  const d = check(sends);
  assert.equal(d.decision, 'defer');
  assert.equal(d.decision === 'defer' && d.until, at('2025-01-11T10:00:00Z'));
  const withRecent = [...sends.slice(0, 2), marketing('2025-01-10T11:00:00Z')];
  const e = check(withRecent);
  assert.equal(
    e.decision === 'defer' && e.until,
    at('2025-01-11T11:00:00Z'),
    'the later of the weekly and daily frees',
  );
});

test('transactional messages bypass marketing caps but not an all-category SMS cap', () => {
  const sends = [marketing('2025-01-10T11:00:00Z')];
  assert.deepEqual(check(sends, { channel: 'email', category: 'transactional' }), { decision: 'allow' });
  const sms = [
    { at: at('2025-01-08T00:00:00Z'), channel: 'sms' as const, category: 'transactional' as const },
  ];
  const d = check(sms, { channel: 'sms', category: 'transactional' });
  assert.equal(d.decision === 'defer' && d.ruleId, 'sms-weekly');
  assert.deepEqual(
    check(sms, { channel: 'email', category: 'marketing' }),
    { decision: 'allow' },
    'other channels are free',
  );
});

test('skip behaviour, and a wait longer than allowed, skip with the rule named', () => {
  const sends = [marketing('2025-01-10T08:00:00Z')];
  const skip = check(sends, undefined, { onCap: 'skip', waitUntil: now });
  assert.deepEqual(skip, { decision: 'skip', reason: 'capped by daily', ruleId: 'daily' });
  const short = check(sends, undefined, { onCap: 'wait', waitUntil: asEpochMs(now + MS_PER_HOUR) });
  assert.equal(short.decision, 'skip');
});

test('windows aligned to local days: one a calendar day in Istanbul frees at local midnight', () => {
  const perDay = [
    capRuleSchema.parse({ id: 'day', max: 1, window: { amount: 1, unit: 'days' }, alignTo: 'local_days' }),
  ];
  const sends = [marketing('2025-01-10T05:00:00Z')]; // 08:00 in Istanbul
  const d = evaluateCaps(
    perDay,
    { channel: 'email', category: 'marketing' },
    {
      now,
      timeZone: 'Europe/Istanbul',
      recentSends: sends,
      behaviour: wait,
    },
  );
  assert.deepEqual(d, { decision: 'defer', until: at('2025-01-10T21:00:00Z'), ruleId: 'day' }); // 00:00 on the 11th
  const yesterday = [marketing('2025-01-09T20:30:00Z')]; // 23:30 in Istanbul on the 9th
  const e = evaluateCaps(
    perDay,
    { channel: 'email', category: 'marketing' },
    {
      now,
      timeZone: 'Europe/Istanbul',
      recentSends: yesterday,
      behaviour: wait,
    },
  );
  assert.deepEqual(e, { decision: 'allow' }, 'a rolling 24 h window would still block this');
});

test('local-day windows on the New York spring-forward day: frees at midnight EDT, a 23 h day', () => {
  const perDay = [
    capRuleSchema.parse({ id: 'day', max: 1, window: { amount: 1, unit: 'days' }, alignTo: 'local_days' }),
  ];
  const d = evaluateCaps(
    perDay,
    { channel: 'email', category: 'marketing' },
    {
      now: at('2025-03-09T16:00:00Z'),
      timeZone: 'America/New_York',
      recentSends: [marketing('2025-03-09T15:00:00Z')],
      behaviour: { onCap: 'wait', waitUntil: at('2025-03-20T00:00:00Z') },
    },
  );
  assert.deepEqual(d, { decision: 'defer', until: at('2025-03-10T04:00:00Z'), ruleId: 'day' });
});

test('a rule aligned to local days must be whole days', () => {
  const r = capRuleSchema.safeParse({
    id: 'x',
    max: 1,
    window: { amount: 5, unit: 'hours' },
    alignTo: 'local_days',
  });
  assert.equal(r.success, false);
});
