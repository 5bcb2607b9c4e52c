import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EpochMs } from '../brand.js';
import type { JourneyInput } from './definition.js';
import { at, QUIET_POLICY, sampleProfile } from './fixtures.js';
import type { JourneyEvent, RunInput } from './run-state.js';
import { simulateRun, type TimedEffect } from './simulate-run.js';
import { validateJourney } from './validate-journey.js';

/** The e-commerce library in /journeys: each parses, validates, and takes a sample shopper to its sends. */
const DIR = join(import.meta.dirname, '../../../journeys');
const TEMPLATES = new Set([
  ...[
    'welcome-1',
    'welcome-2-first-order-offer',
    'welcome-3-brand-story',
    'cart-reminder-1',
    'cart-reminder-2-cross-sell',
  ],
  ...[
    'browse-reminder',
    'review-request',
    'review-reminder',
    'cross-sell-recommendations',
    'cross-sell-best-sellers',
  ],
  ...['back-in-stock', 'price-drop', 'win-back-1-miss-you', 'win-back-2-offer-10', 'win-back-2-offer-20'],
  ...['birthday-greeting', 'nps-survey', 'nps-reminder'],
]);

const read = (file: string): JourneyInput =>
  JSON.parse(readFileSync(join(DIR, file), 'utf8')) as JourneyInput;

/** The same journey with every send on the built-in `log` channel (no provider needed). */
const onLogChannel = (j: JourneyInput): JourneyInput => ({
  ...j,
  nodes: j.nodes.map((n) => (n.type === 'send' ? { ...n, channel: 'log' as const } : n)),
});

const t0 = at('2025-01-06T10:00:00Z'); // Monday 13:00 in Istanbul, the sample shopper's zone

function play(
  file: string,
  trigger: JourneyEvent | undefined,
  options: {
    runKey?: string;
    script?: { at: EpochMs; input: RunInput }[];
    respond?: (url: string) => unknown;
    log?: boolean;
  } = {},
) {
  const parsed = validateJourney(options.log === false ? read(file) : onLogChannel(read(file)), {
    knownTemplates: TEMPLATES,
  });
  assert.ok(parsed.ok, `${file}: ${JSON.stringify(parsed.ok ? [] : parsed.error)}`);
  return simulateRun({
    journey: parsed.value,
    profile: sampleProfile(),
    policy: QUIET_POLICY,
    runId: `run_${file}`,
    startAt: t0,
    ...(trigger ? { trigger } : {}),
    ...(options.runKey !== undefined ? { runKey: options.runKey } : {}),
    ...(options.script ? { script: options.script } : {}),
    ...(options.respond ? { respond: options.respond } : {}),
  });
}

/** The sends as `template channel local-time` lines, in Istanbul time. */
const sends = (effects: readonly TimedEffect[]): string[] =>
  effects.flatMap(({ at: when, effect }) =>
    effect.type === 'plan_send'
      ? [`${effect.template} ${effect.channel} ${new Date(when + 3 * 3_600_000).toISOString().slice(0, 16)}`]
      : [],
  );

test('every library journey parses and validates against the known templates', () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 10);
  for (const file of files) {
    const r = validateJourney(read(file), { knownTemplates: TEMPLATES });
    assert.ok(r.ok, `${file}: ${JSON.stringify(r.ok ? [] : r.error)}`);
    assert.equal(`${r.value.id}.json`, file);
  }
});

test('welcome series: three emails, the last on the next weekday at 10:00', () => {
  const { run, effects } = play('welcome-series.json', { event: 'Signed Up', properties: {} });
  assert.deepEqual(sends(effects), [
    'welcome-1 log 2025-01-06T13:00',
    'welcome-2-first-order-offer log 2025-01-08T13:00',
    'welcome-3-brand-story log 2025-01-13T10:00',
  ]);
  assert.equal(run.endReason, 'completed');
});

test('abandoned cart: two reminders without an order; none, and a conversion, with one', () => {
  const cart = { event: 'Product Added', properties: { cartId: 'c1' } };
  const idle = play('abandoned-cart.json', cart, { runKey: 'c1' });
  assert.deepEqual(sends(idle.effects), [
    'cart-reminder-1 log 2025-01-06T14:00',
    'cart-reminder-2-cross-sell log 2025-01-07T14:00',
  ]);
  const order = {
    kind: 'event',
    event: { event: 'Order Completed', properties: { cartId: 'c1', revenue: 120 } },
  } as const;
  const bought = play('abandoned-cart.json', cart, {
    runKey: 'c1',
    script: [{ at: at('2025-01-06T10:30:00Z'), input: order }],
  });
  assert.deepEqual(sends(bought.effects), []);
  assert.equal(bought.run.endReason, 'goal');
  assert.ok(bought.effects.some((e) => e.effect.type === 'record_conversion' && e.effect.revenue === 120));
  const real = play('abandoned-cart.json', cart, { runKey: 'c1', log: false });
  assert.deepEqual(sends(real.effects), [
    'cart-reminder-1 email 2025-01-06T14:00',
    'cart-reminder-2-cross-sell email 2025-01-07T14:00',
  ]);
});

test('browse abandonment: a reminder four hours after the view', () => {
  const { effects } = play('browse-abandonment.json', {
    event: 'Product Viewed',
    properties: { productId: 'p1' },
  });
  assert.deepEqual(sends(effects), ['browse-reminder log 2025-01-06T17:00']);
});

test('post-purchase review: a request on a weekday morning ten days on, a reminder five days later', () => {
  const { effects } = play(
    'post-purchase-review.json',
    { event: 'Order Completed', properties: { orderId: 'o1' } },
    { runKey: 'o1' },
  );
  assert.deepEqual(sends(effects), [
    'review-request log 2025-01-17T10:00',
    'review-reminder log 2025-01-22T10:00',
  ]);
});

test('cross-sell: recommendations from the webhook when there are some, else best sellers', () => {
  const order = { event: 'Order Completed', properties: { orderId: 'o1' } };
  const some = play('cross-sell.json', order, { runKey: 'o1', respond: () => ({ count: 3 }) });
  assert.deepEqual(sends(some.effects), ['cross-sell-recommendations log 2025-01-09T13:00']);
  assert.ok(some.effects.some((e) => e.effect.type === 'call_webhook'));
  const none = play('cross-sell.json', order, { runKey: 'o1', respond: () => ({ count: 0 }) });
  assert.deepEqual(sends(none.effects), ['cross-sell-best-sellers log 2025-01-09T13:00']);
});

test('back in stock and price drop: one message at once', () => {
  const stock = play(
    'back-in-stock.json',
    { event: 'Product Back In Stock', properties: { productId: 'p1' } },
    { runKey: 'p1' },
  );
  assert.deepEqual(sends(stock.effects), ['back-in-stock log 2025-01-06T13:00']);
  const drop = { event: 'Product Price Dropped', properties: { productId: 'p1', dropPercent: 15 } };
  assert.deepEqual(sends(play('price-drop.json', drop, { runKey: 'p1' }).effects), [
    'price-drop log 2025-01-06T13:00',
  ]);
});

test('win-back: we miss you, then the assigned offer (or nothing in the holdout)', () => {
  const { run, effects } = play('win-back.json', {
    event: 'RFM Group Changed',
    properties: { group: 'At Risk' },
  });
  const offer = {
    'ten-percent': ['win-back-2-offer-10 log 2025-01-11T13:00'],
    'twenty-percent': ['win-back-2-offer-20 log 2025-01-11T13:00'],
    holdout: [],
  }[run.assignments['offer-test'] as 'ten-percent' | 'twenty-percent' | 'holdout'];
  assert.ok(offer);
  assert.deepEqual(sends(effects), ['win-back-1-miss-you log 2025-01-06T13:00', ...offer]);
});

test('birthday: a greeting and a counted greeting', () => {
  const { effects } = play('birthday.json', undefined);
  assert.deepEqual(sends(effects), ['birthday-greeting log 2025-01-06T13:00']);
  assert.ok(effects.some((e) => e.effect.type === 'update_profile'));
});

test('NPS survey: two days after delivery at 11:00, a reminder three days later', () => {
  const { effects } = play('nps-survey.json', { event: 'Order Delivered', properties: { orderId: 'o1' } });
  assert.deepEqual(sends(effects), ['nps-survey log 2025-01-09T11:00', 'nps-reminder log 2025-01-12T11:00']);
});
