import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs, asProfileId, MS_PER_HOUR, type EpochMs } from '../brand.js';
import { capRuleSchema } from './frequency-caps.js';
import { at, defineJourney, envAt, QUIET_POLICY, sampleProfile } from './fixtures.js';
import { createRun, type RunInput, type RunState } from './run-state.js';
import { stepRun } from './step-machine.js';

const cart = defineJourney({
  id: 'cart',
  name: 'Abandoned cart',
  trigger: { type: 'event', event: 'Cart Abandoned' },
  runKey: { property: 'cartId' },
  goal: { matchRunKey: true, endRun: true },
  nodes: [
    { id: 'start', type: 'entry' },
    {
      id: 'wait',
      type: 'wait_for_event',
      event: 'Order Completed',
      matchRunKey: true,
      timeout: { amount: 1, unit: 'hours' },
    },
    { id: 'remind', type: 'send', template: 'cart-reminder', channel: ['push', 'email'] },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'wait' },
    { from: 'wait', to: 'done', branch: 'event' },
    { from: 'wait', to: 'remind', branch: 'timeout' },
    { from: 'remind', to: 'done' },
  ],
});

const t0 = at('2025-01-06T10:00:00Z'); // 13:00 in Istanbul
const startInput: RunInput = {
  kind: 'start',
  event: { event: 'Cart Abandoned', properties: { cartId: 'c1' } },
};
const fresh = (): RunState =>
  createRun(cart, { runId: 'run_1', profileId: asProfileId('prf_sample'), now: t0, runKey: 'c1' });
const later = (ms: number): EpochMs => asEpochMs(t0 + ms);

test('start runs immediate nodes and stops at the wait with a timeout timer', () => {
  const { run, effects } = stepRun(fresh(), startInput, envAt(cart, t0));
  assert.equal(run.status, 'active');
  assert.equal(run.nodeId, 'wait');
  assert.deepEqual(effects, [{ type: 'schedule_timer', token: 1, at: later(MS_PER_HOUR), nodeId: 'wait' }]);
  assert.deepEqual(run.context, { trigger: { event: 'Cart Abandoned', properties: { cartId: 'c1' } } });
});

test('the timeout sends the reminder on the first reachable channel, with a run:node:channel key', () => {
  const a = stepRun(fresh(), startInput, envAt(cart, t0));
  const b = stepRun(a.run, { kind: 'timer', token: 1 }, envAt(cart, later(MS_PER_HOUR)));
  assert.deepEqual(b.effects, [
    {
      type: 'plan_send',
      idempotencyKey: 'run_1:remind:email',
      nodeId: 'remind',
      template: 'cart-reminder',
      channel: 'email',
      category: 'marketing',
      priority: 5,
    },
    { type: 'end_run', reason: 'completed' },
  ]);
  assert.deepEqual(
    b.run.history.map((h) => [h.nodeId, h.branch]),
    [
      ['start', 'next'],
      ['wait', 'timeout'],
      ['remind', 'next'],
      ['done', undefined],
    ],
  );
});

test('an order for the same cart converts and ends the run; another cart does not', () => {
  const a = stepRun(fresh(), startInput, envAt(cart, t0));
  const other = stepRun(
    a.run,
    { kind: 'event', event: { event: 'Order Completed', properties: { cartId: 'c2' } } },
    envAt(cart, later(60_000)),
  );
  assert.deepEqual(other.effects, []);
  assert.equal(other.run.nodeId, 'wait');
  const mine = stepRun(
    a.run,
    { kind: 'event', event: { event: 'Order Completed', properties: { cartId: 'c1', revenue: 99.5 } } },
    envAt(cart, later(60_000)),
  );
  assert.deepEqual(mine.effects, [
    { type: 'record_conversion', event: 'Order Completed', revenue: 99.5, at: later(60_000) },
    { type: 'end_run', reason: 'goal' },
  ]);
  const after = stepRun(mine.run, { kind: 'timer', token: 1 }, envAt(cart, later(MS_PER_HOUR)));
  assert.deepEqual(after.effects, [], 'no step after the end');
});

test('without goal ending, a matching event takes the event branch and the timer goes stale', () => {
  const j = defineJourney({ ...cart, goal: undefined });
  const a = stepRun(fresh(), startInput, envAt(j, t0));
  const b = stepRun(
    a.run,
    { kind: 'event', event: { event: 'Order Completed', properties: { cartId: 'c1' } } },
    envAt(j, later(1000)),
  );
  assert.equal(b.run.status, 'ended');
  assert.deepEqual(
    b.run.history.map((h) => h.branch),
    ['next', 'event', undefined],
  );
});

test('a stale timer (from a wait the run has left) and an early one change nothing', () => {
  const loop = defineJourney({
    id: 'loop',
    name: 'Loop',
    trigger: { type: 'api' },
    nodes: [
      { id: 'start', type: 'entry' },
      { id: 'w', type: 'wait_for_event', event: 'Ping', timeout: { amount: 1, unit: 'days' } },
    ],
    edges: [
      { from: 'start', to: 'w' },
      { from: 'w', to: 'w', branch: 'event' },
      { from: 'w', to: 'w', branch: 'timeout' },
    ],
  });
  const a = stepRun(
    createRun(loop, { runId: 'r', profileId: asProfileId('p'), now: t0 }),
    { kind: 'start' },
    envAt(loop, t0),
  );
  const b = stepRun(
    a.run,
    { kind: 'event', event: { event: 'Ping', properties: {} } },
    envAt(loop, later(5)),
  );
  assert.equal(b.run.wait?.token, 2);
  assert.equal(b.run.visits.w, 2);
  const stale = stepRun(b.run, { kind: 'timer', token: 1 }, envAt(loop, later(25 * MS_PER_HOUR)));
  assert.deepEqual(stale, { run: b.run, effects: [] });
  const early = stepRun(b.run, { kind: 'timer', token: 2 }, envAt(loop, later(MS_PER_HOUR)));
  assert.deepEqual(early.effects, []);
});

test('a marketing send in quiet hours waits for 08:00 local and keeps its idempotency key', () => {
  const night = at('2025-01-06T19:00:00Z'); // 22:00 in Istanbul
  const a = stepRun(fresh(), startInput, envAt(cart, night, { policy: QUIET_POLICY }));
  const b = stepRun(
    a.run,
    { kind: 'timer', token: 1 },
    envAt(cart, asEpochMs(night + MS_PER_HOUR), { policy: QUIET_POLICY }),
  );
  const morning = at('2025-01-07T05:00:00Z');
  assert.deepEqual(b.effects, [
    { type: 'defer_send', nodeId: 'remind', until: morning, reason: 'quiet_hours' },
    { type: 'schedule_timer', token: 2, at: morning, nodeId: 'remind' },
  ]);
  const c = stepRun(b.run, { kind: 'timer', token: 2 }, envAt(cart, morning, { policy: QUIET_POLICY }));
  assert.equal(c.effects[0]?.type === 'plan_send' && c.effects[0].idempotencyKey, 'run_1:remind:email');
});

test('a capped send waits for the cap, or skips when the node says so', () => {
  const policy = {
    ...QUIET_POLICY,
    capRules: [capRuleSchema.parse({ id: 'daily', max: 1, window: { amount: 1, unit: 'days' } })],
  };
  const recentSends = [{ at: t0, channel: 'email' as const, category: 'marketing' as const }];
  const a = stepRun(fresh(), startInput, envAt(cart, t0, { policy, recentSends }));
  const b = stepRun(
    a.run,
    { kind: 'timer', token: 1 },
    envAt(cart, later(MS_PER_HOUR), { policy, recentSends }),
  );
  assert.deepEqual(b.effects[0], {
    type: 'defer_send',
    nodeId: 'remind',
    until: later(24 * MS_PER_HOUR),
    reason: 'frequency_cap',
  });
  const skipping = defineJourney({
    ...cart,
    nodes: cart.nodes.map((n) => (n.type === 'send' ? { ...n, onCap: 'skip' as const } : n)),
  });
  const c = stepRun(
    a.run,
    { kind: 'timer', token: 1 },
    envAt(skipping, later(MS_PER_HOUR), { policy, recentSends }),
  );
  assert.deepEqual(c.effects, [
    { type: 'skip_send', nodeId: 'remind', reason: 'capped by daily' },
    { type: 'end_run', reason: 'completed' },
  ]);
});

test('exit rules end a run wherever it is: on an event or a segment change', () => {
  const j = defineJourney({
    ...cart,
    exitRules: [
      { kind: 'event', event: 'Unsubscribed' },
      { kind: 'segment', segmentId: 'vip', member: true },
    ],
  });
  const a = stepRun(fresh(), startInput, envAt(j, t0));
  const b = stepRun(
    a.run,
    { kind: 'event', event: { event: 'Unsubscribed', properties: {} } },
    envAt(j, later(1)),
  );
  assert.equal(b.run.endReason, 'exit_rule');
  const c = stepRun(a.run, { kind: 'segment', segmentId: 'vip', member: false }, envAt(j, later(1)));
  assert.equal(c.run.status, 'active');
  const d = stepRun(a.run, { kind: 'segment', segmentId: 'vip', member: true }, envAt(j, later(1)));
  assert.equal(d.run.endReason, 'exit_rule');
});

test('a conversion after the run ended still counts within the goal window, once', () => {
  const j = defineJourney({ ...cart, goal: { withinDays: 7 } });
  const a = stepRun(fresh(), startInput, envAt(j, t0));
  const b = stepRun(a.run, { kind: 'timer', token: 1 }, envAt(j, later(MS_PER_HOUR)));
  assert.equal(b.run.status, 'ended');
  const order = { kind: 'event', event: { event: 'Order Completed', properties: { total: 10 } } } as const;
  const c = stepRun(b.run, order, envAt(j, later(2 * MS_PER_HOUR)));
  assert.deepEqual(c.effects, [
    { type: 'record_conversion', event: 'Order Completed', revenue: 10, at: later(2 * MS_PER_HOUR) },
  ]);
  assert.deepEqual(stepRun(c.run, order, envAt(j, later(3 * MS_PER_HOUR))).effects, []);
  assert.deepEqual(
    stepRun(b.run, order, envAt(j, later(8 * 24 * MS_PER_HOUR))).effects,
    [],
    'outside the window',
  );
});

const branching = defineJourney({
  id: 'branching',
  name: 'Branching',
  trigger: { type: 'event', event: 'Signed Up' },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'bump', type: 'update_profile', set: { tier: 'gold' }, increment: { visits: 2 } },
    {
      id: 'gold',
      type: 'condition',
      test: {
        condition: { type: 'trait', trait: 'tier', op: 'equals', value: 'gold' },
        trigger: [{ property: 'plan', op: 'equals', value: 'pro' }],
      },
    },
    {
      id: 'ab',
      type: 'random_split',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
      holdout: 1,
    },
    { id: 'hook', type: 'webhook', url: 'https://example.com/recs', responseKey: 'recs' },
    { id: 'send', type: 'send', template: 'welcome', channel: 'log' },
    { id: 'handoff', type: 'go_to_journey', journeyId: 'next' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'bump' },
    { from: 'bump', to: 'gold' },
    { from: 'gold', to: 'ab', branch: 'yes' },
    { from: 'gold', to: 'done', branch: 'no' },
    { from: 'ab', to: 'hook', branch: 'a' },
    { from: 'ab', to: 'hook', branch: 'b' },
    { from: 'ab', to: 'done', branch: 'holdout' },
    { from: 'hook', to: 'send' },
    { from: 'send', to: 'handoff' },
  ],
});

test('update, condition (trait set in the same step + trigger filter), split, webhook, hand-off', () => {
  let runIndex = 0;
  let seen: RunState | undefined;
  let result;
  do {
    const run = createRun(branching, { runId: `r${runIndex++}`, profileId: asProfileId('p'), now: t0 });
    result = stepRun(
      run,
      { kind: 'start', event: { event: 'Signed Up', properties: { plan: 'pro' } } },
      envAt(branching, t0),
    );
    if (result.run.nodeId === 'hook') seen = result.run;
  } while (!seen && runIndex < 50);
  assert.ok(seen, 'some run takes a variant');
  assert.deepEqual(result.effects.slice(0, 2), [
    { type: 'update_profile', set: { tier: 'gold' }, increment: { visits: 2 } },
    { type: 'record_assignment', nodeId: 'ab', branch: seen.assignments.ab },
  ]);
  const call = result.effects.find((e) => e.type === 'call_webhook');
  assert.deepEqual(call, {
    type: 'call_webhook',
    nodeId: 'hook',
    idempotencyKey: `${seen.runId}:hook:webhook`,
    method: 'POST',
    url: 'https://example.com/recs',
    headers: {},
    token: 1,
  });
  const b = stepRun(
    seen,
    { kind: 'webhook_response', token: 1, body: { items: ['sku-1'] } },
    envAt(branching, later(500)),
  );
  assert.deepEqual(b.run.context.recs, { items: ['sku-1'] });
  assert.deepEqual(
    b.effects.map((e) => e.type),
    ['plan_send', 'start_journey', 'end_run'],
  );
  assert.equal(b.run.endReason, 'handed_off');
});

test('split assignments are stable per run and recorded; weights are honoured', () => {
  const counts: Record<string, number> = {};
  for (let i = 0; i < 3000; i++) {
    const run = createRun(branching, { runId: `run_${i}`, profileId: asProfileId('p'), now: t0 });
    const env = envAt(branching, t0);
    const input = { kind: 'start', event: { event: 'Signed Up', properties: { plan: 'pro' } } } as const;
    const first = stepRun(run, input, env);
    assert.deepEqual(stepRun(run, input, env), first, 'replay agrees');
    const branch = first.run.assignments.ab!;
    counts[branch] = (counts[branch] ?? 0) + 1;
  }
  for (const key of ['a', 'b', 'holdout'])
    assert.ok(Math.abs((counts[key] ?? 0) - 1000) < 120, JSON.stringify(counts));
});

test('a condition fails when the trigger filter fails', () => {
  const run = createRun(branching, { runId: 'x', profileId: asProfileId('p'), now: t0 });
  const r = stepRun(
    run,
    { kind: 'start', event: { event: 'Signed Up', properties: { plan: 'free' } } },
    envAt(branching, t0),
  );
  assert.equal(r.run.nodeId, 'done');
  assert.equal(r.run.history[2]?.branch, 'no');
});

test('a send to an unreachable person is skipped, recorded, and the run goes on', () => {
  const profile = sampleProfile({ email: null, phone: null });
  const a = stepRun(fresh(), startInput, envAt(cart, t0, { profile }));
  const b = stepRun(a.run, { kind: 'timer', token: 1 }, envAt(cart, later(MS_PER_HOUR), { profile }));
  assert.deepEqual(b.effects[0], { type: 'skip_send', nodeId: 'remind', reason: 'no reachable channel' });
});
