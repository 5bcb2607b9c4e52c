import { asEpochMs, type EpochMs } from '../brand.js';
import { setTraits } from '../profiles/profile.js';
import { computeDelayUntil } from './delays.js';
import { durationMs } from './durations.js';
import { passesTest, triggerProperties } from './matching.js';
import type { JourneyNode, NodeOf } from './nodes.js';
import type { EndReason } from './run-state.js';
import { attemptSend } from './send-step.js';
import { assignBranch } from './split-assignment.js';
import { keyFor, timeZoneOfDraft, waitAt, type StepDraft } from './step-draft.js';

/** Where a node sends the run: on by a branch, nowhere yet (it waits), or out. */
export type NodeOutcome =
  | { readonly kind: 'go'; readonly branch: string }
  | { readonly kind: 'stay' }
  | { readonly kind: 'end'; readonly reason: EndReason };

const go = (branch: string): NodeOutcome => ({ kind: 'go', branch });
const STAY: NodeOutcome = { kind: 'stay' };

/**
 * Tries the send node; `since` is when the run first reached it. Plans the message, or waits
 * (cap or quiet hours) with a timer, or records the skip and goes on.
 */
export function runSend(d: StepDraft, node: NodeOf<'send'>, since: EpochMs): NodeOutcome {
  const outcome = attemptSend({
    node,
    profile: d.profile,
    policy: d.env.policy,
    recentSends: d.sends,
    now: d.env.now,
    since,
    timeZone: timeZoneOfDraft(d),
    idempotencyKey: (channel) => keyFor(d, node.id, channel),
    priority: d.env.journey.settings.priority,
  });
  switch (outcome.kind) {
    case 'planned':
      d.effects.push(outcome.effect);
      d.sends.push(outcome.send);
      return go('next');
    case 'skipped':
      d.effects.push({ type: 'skip_send', nodeId: node.id, reason: outcome.reason });
      return go('next');
    case 'deferred':
      d.effects.push({ type: 'defer_send', nodeId: node.id, until: outcome.until, reason: outcome.reason });
      waitAt(d, (token) => ({ kind: 'send', token, until: outcome.until, since }));
      return STAY;
  }
}

function runUpdate(d: StepDraft, node: NodeOf<'update_profile'>): NodeOutcome {
  const traits: Record<string, unknown> = { ...node.set };
  for (const [name, by] of Object.entries(node.increment)) {
    const current = d.profile.traits[name];
    traits[name] = (typeof current === 'number' && Number.isFinite(current) ? current : 0) + by;
  }
  d.profile = setTraits(d.profile, traits, d.env.now);
  d.effects.push({ type: 'update_profile', set: node.set, increment: node.increment });
  return go('next');
}

function runWebhook(d: StepDraft, node: NodeOf<'webhook'>): NodeOutcome {
  const call = {
    type: 'call_webhook',
    nodeId: node.id,
    idempotencyKey: keyFor(d, node.id, 'webhook'),
    method: node.method,
    url: node.url,
    headers: node.headers,
    ...(node.body !== undefined ? { body: node.body } : {}),
  } as const;
  if (node.responseKey === undefined) {
    d.effects.push(call);
    return go('next');
  }
  const token = d.run.timerSeq + 1;
  d.effects.push({ ...call, token });
  waitAt(d, (t) => ({ kind: 'webhook', token: t, until: asEpochMs(d.env.now + durationMs(node.timeout)) }));
  return STAY;
}

function runRandomSplit(d: StepDraft, node: NodeOf<'random_split'>): NodeOutcome {
  const recorded = d.run.assignments[node.id];
  if (recorded !== undefined) return go(recorded);
  const branch = assignBranch(node, d.run.runId);
  d.run = { ...d.run, assignments: { ...d.run.assignments, [node.id]: branch } };
  d.effects.push({ type: 'record_assignment', nodeId: node.id, branch });
  return go(branch);
}

/** Runs a node the run has just entered. */
export function runNode(d: StepDraft, node: JourneyNode): NodeOutcome {
  const now = d.env.now;
  switch (node.type) {
    case 'entry':
      return go('next');
    case 'delay': {
      const until = computeDelayUntil(node.delay, {
        now,
        profile: d.profile,
        triggerProperties: triggerProperties(d.run),
        timeZone: timeZoneOfDraft(d),
      });
      if (until <= now) return go('next');
      waitAt(d, (token) => ({ kind: 'delay', token, until }));
      return STAY;
    }
    case 'wait_for_event':
      waitAt(d, (token) => ({ kind: 'event', token, until: asEpochMs(now + durationMs(node.timeout)) }));
      return STAY;
    case 'condition':
      return go(passesTest(node.test, d.profile, d.run, now) ? 'yes' : 'no');
    case 'audience_split':
      return go(node.audiences.find((a) => passesTest(a.test, d.profile, d.run, now))?.key ?? 'else');
    case 'random_split':
      return runRandomSplit(d, node);
    case 'send':
      return runSend(d, node, now);
    case 'update_profile':
      return runUpdate(d, node);
    case 'webhook':
      return runWebhook(d, node);
    case 'go_to_journey':
      d.effects.push({ type: 'start_journey', journeyId: node.journeyId, context: d.run.context });
      return { kind: 'end', reason: 'handed_off' };
    case 'exit':
      return { kind: 'end', reason: 'completed' };
  }
}
