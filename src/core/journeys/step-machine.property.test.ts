import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE, type EpochMs } from '../brand.js';
import { createRandom, pick, randomInt, type Random } from '../random.js';
import { sampleProfile } from './fixtures.js';
import { capRuleSchema, type CapRule, type RecentSend } from './frequency-caps.js';
import { generateJourney, RANDOM_EVENTS } from './generate-journey.js';
import { DEFAULT_QUIET_HOURS } from './quiet-hours.js';
import { createRun, type RunEffect, type RunInput, type RunState } from './run-state.js';
import type { SendPolicy } from './send-step.js';
import { stepRun } from './step-machine.js';
import { localDayOf } from './time-zone.js';
import { validateJourney } from './validate-journey.js';
import type { Journey } from './definition.js';

const SEEDS = 1000;
const ZONES = ['UTC', 'Europe/Istanbul', 'America/New_York', 'Europe/London'] as const;
const STARTS = [
  '2025-03-08T20:00:00Z',
  '2025-03-29T22:00:00Z',
  '2025-06-15T12:00:00Z',
  '2025-11-01T23:00:00Z',
];
const RULES: CapRule[] = [
  capRuleSchema.parse({ id: 'daily', max: 1, window: { amount: 24, unit: 'hours' } }),
  capRuleSchema.parse({ id: 'weekly', max: 3, window: { amount: 7, unit: 'days' } }),
  capRuleSchema.parse({
    id: 'sms',
    max: 1,
    window: { amount: 7, unit: 'days' },
    channel: 'sms',
    category: 'all',
  }),
  capRuleSchema.parse({
    id: 'local-day',
    max: 2,
    window: { amount: 1, unit: 'days' },
    alignTo: 'local_days',
    category: 'all',
  }),
];

/** One scenario: a journey, a person, a policy, and the inputs as a script (so it can be replayed). */
interface Scenario {
  readonly journey: Journey;
  readonly zone: string;
  readonly policy: SendPolicy;
  readonly start: EpochMs;
}

interface Trace {
  readonly steps: {
    readonly now: EpochMs;
    readonly input: RunInput;
    readonly before: RunState;
    readonly after: RunState;
    readonly effects: readonly RunEffect[];
  }[];
  readonly sends: (RecentSend & { readonly mine: boolean })[];
}

function makeScenario(rng: Random): Scenario {
  const journey = generateJourney(rng);
  const zone = pick(rng, ZONES);
  const rules = RULES.filter(() => rng.next() < 0.5);
  return {
    journey,
    zone,
    policy: { capRules: rules, quietHours: DEFAULT_QUIET_HOURS },
    start: asEpochMs(Date.parse(pick(rng, STARTS))),
  };
}

/** Drives one run with random inputs, like an engine that never fires a timer early but may fire stale ones. */
function drive(s: Scenario, seed: number): Trace {
  const rng = createRandom(seed);
  const profile = sampleProfile({ timezone: s.zone, renewsAt: '2025-07-01', visits: 1 });
  let run = createRun(s.journey, { runId: `run_${seed}`, profileId: profile.id, now: s.start, runKey: 'c1' });
  let now = s.start;
  const timers: { token: number; at: EpochMs }[] = [];
  const sends: Trace['sends'] = [];
  const steps: Trace['steps'][number][] = [];
  const apply = (input: RunInput): void => {
    const env = { journey: s.journey, profile, now, policy: s.policy, recentSends: sends };
    const result = stepRun(run, input, env);
    steps.push({ now, input, before: run, after: result.run, effects: result.effects });
    for (const e of result.effects) {
      if (e.type === 'schedule_timer') timers.push({ token: e.token, at: e.at });
      if (e.type === 'plan_send')
        sends.push({ at: now, channel: e.channel, category: e.category, mine: true });
    }
    run = result.run;
  };
  apply({ kind: 'start', event: { event: 'Cart Abandoned', properties: { cartId: 'c1' } } });
  for (let i = randomInt(rng, 10, 40); i > 0; i--) {
    const roll = rng.next();
    if (roll < 0.45 && timers.length > 0) {
      const [timer] = timers.splice(randomInt(rng, 0, timers.length - 1), 1);
      now = asEpochMs(Math.max(now, timer!.at) + randomInt(rng, 0, 5) * MS_PER_MINUTE);
      apply({ kind: 'timer', token: timer!.token });
      continue;
    }
    now = asEpochMs(now + randomInt(rng, 0, 6 * 60) * MS_PER_MINUTE);
    if (roll < 0.75) {
      const properties = { cartId: pick(rng, ['c1', 'c2']), revenue: randomInt(rng, 1, 100) };
      apply({ kind: 'event', event: { event: pick(rng, RANDOM_EVENTS), properties } });
    } else if (roll < 0.82) {
      apply({ kind: 'segment', segmentId: pick(rng, ['vip', 'other']), member: rng.next() < 0.5 });
    } else if (roll < 0.9) {
      apply({
        kind: 'webhook_response',
        token: randomInt(rng, 1, run.timerSeq + 1),
        body: { score: rng.next() },
      });
    } else {
      // Another journey sent this person something: caps must count it.
      sends.push({ at: now, channel: pick(rng, ['email', 'sms']), category: 'marketing', mine: false });
    }
  }
  return { steps, sends };
}

const WAIT_KIND = { delay: 'delay', wait_for_event: 'event', send: 'send', webhook: 'webhook' } as const;

function localMinute(at: number, zone: string): number {
  const f = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const [h, m] = f.format(at).split(':');
  return Number(h) * 60 + Number(m);
}

/** Independent check of one planned send against every rule, counting what was planned before it. */
function assertWithinCaps(s: Scenario, send: RecentSend, before: readonly RecentSend[], where: string): void {
  for (const rule of s.policy.capRules) {
    const counts = (x: RecentSend): boolean =>
      (rule.category === 'all' || x.category === 'marketing') &&
      (rule.channel === undefined || rule.channel === x.channel);
    if (!counts(send)) continue;
    const days = rule.window.amount * (rule.window.unit === 'weeks' ? 7 : 1);
    const inWindow = before
      .filter(counts)
      .filter((x) =>
        rule.alignTo === 'local_days'
          ? localDayOf(x.at, s.zone) > localDayOf(send.at, s.zone) - days
          : x.at > send.at - rule.window.amount * (rule.window.unit === 'hours' ? MS_PER_HOUR : MS_PER_DAY),
      );
    assert.ok(inWindow.length < rule.max, `${where}: cap ${rule.id} exceeded`);
  }
}

function checkInvariants(s: Scenario, trace: Trace, where: string): void {
  const keys = new Set<string>();
  const nodes = new Map(s.journey.nodes.map((n) => [n.id, n]));
  let ends = 0;
  for (const [i, step] of trace.steps.entries()) {
    const at = `${where} step ${i} (${step.input.kind})`;
    const { after, before, effects } = step;
    const node = nodes.get(after.nodeId);
    assert.ok(node, `${at}: the run is in exactly one known node`);
    if (after.status === 'active') {
      assert.ok(after.wait, `${at}: an active run waits somewhere`);
      assert.equal(
        WAIT_KIND[node.type as keyof typeof WAIT_KIND],
        after.wait.kind,
        `${at}: the wait belongs to its node`,
      );
    }
    if (step.input.kind === 'timer' && step.input.token !== before.wait?.token) {
      assert.deepEqual([after, effects], [before, []], `${at}: a stale timer changes nothing`);
    }
    if (before.wait && step.input.kind === 'timer' && step.now < before.wait.until) {
      assert.deepEqual(effects, [], `${at}: a wait never ends early`);
    }
    if (before.status === 'ended') {
      assert.ok(
        effects.every((e) => e.type === 'record_conversion'),
        `${at}: no step after the end`,
      );
      assert.equal(after.nodeId, before.nodeId, `${at}: no move after the end`);
    }
    for (const e of effects) {
      if (e.type === 'end_run') ends++;
      if (e.type === 'schedule_timer') assert.ok(e.at >= step.now, `${at}: timer in the past`);
      if (e.type === 'plan_send' || e.type === 'call_webhook') {
        assert.ok(!keys.has(e.idempotencyKey), `${at}: key ${e.idempotencyKey} repeated`);
        keys.add(e.idempotencyKey);
      }
      if (e.type === 'plan_send' && e.category === 'marketing') {
        const m = localMinute(step.now, s.zone);
        assert.ok(
          m >= 8 * 60 && m < 21 * 60,
          `${at}: marketing send at local ${Math.floor(m / 60)}:${m % 60}`,
        );
      }
    }
  }
  assert.ok(ends <= 1, `${where}: a run ends once`);
  trace.sends.forEach((send, i) => {
    if (send.mine) assertWithinCaps(s, send, trace.sends.slice(0, i), `${where} send ${i}`);
  });
}

test(`step machine invariants hold over ${SEEDS} random journeys and input sequences`, () => {
  let planned = 0;
  let ended = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const scenario = makeScenario(createRandom(seed));
    const valid = validateJourney(scenario.journey);
    assert.ok(
      valid.ok,
      `seed ${seed}: generated journey is valid: ${JSON.stringify(valid.ok ? [] : valid.error)}`,
    );
    const trace = drive(scenario, seed);
    checkInvariants(scenario, trace, `seed ${seed}`);
    const replay = drive(scenario, seed);
    assert.deepEqual(
      replay.steps.map((x) => [x.effects, x.after]),
      trace.steps.map((x) => [x.effects, x.after]),
      `seed ${seed}: replay`,
    );
    planned += trace.sends.filter((x) => x.mine).length;
    ended += trace.steps.at(-1)?.after.status === 'ended' ? 1 : 0;
  }
  // The scenarios must exercise what they claim to: sends happen and runs finish.
  assert.ok(planned > SEEDS / 2, `only ${planned} sends planned`);
  assert.ok(ended > SEEDS / 4, `only ${ended} runs ended`);
});
