import { MS_PER_DAY } from '../brand.js';
import type { RunInput, RunState, StepResult } from './run-state.js';
import { edgeKey } from './journey-graph.js';
import { matchesEvent, revenueOf } from './matching.js';
import { runNode, runSend } from './run-node.js';
import {
  clearWait,
  createDraft,
  endRun,
  finishDraft,
  noteBranch,
  type StepDraft,
  type StepEnvironment,
} from './step-draft.js';

/** A guard against graphs that were never validated: more node entries than this in one step is a loop. */
export const MAX_NODES_PER_STEP = 1000;

/** Leaves the current node by `branch` and runs nodes until one waits or the run ends. */
function advance(d: StepDraft, branch: string): void {
  let leaving = branch;
  for (let entered = 0; entered < MAX_NODES_PER_STEP; entered++) {
    noteBranch(d, leaving);
    const to = d.graph.targets.get(edgeKey(d.run.nodeId, leaving));
    if (to === undefined) return endRun(d, 'error', `no edge from ${d.run.nodeId} by branch ${leaving}`);
    const node = d.graph.nodes.get(to);
    if (!node) return endRun(d, 'error', `edge to unknown node ${to}`);
    d.run = {
      ...d.run,
      nodeId: node.id,
      visits: { ...d.run.visits, [node.id]: (d.run.visits[node.id] ?? 0) + 1 },
    };
    d.history.push({ nodeId: node.id, at: d.env.now });
    const outcome = runNode(d, node);
    switch (outcome.kind) {
      case 'go':
        leaving = outcome.branch;
        continue;
      case 'stay':
        return;
      case 'end':
        return endRun(d, outcome.reason);
    }
  }
  endRun(d, 'error', `more than ${MAX_NODES_PER_STEP} nodes in one step (a cycle without a wait)`);
}

function start(d: StepDraft, input: Extract<RunInput, { kind: 'start' }>): void {
  const entry = d.graph.nodes.get(d.run.nodeId);
  if (!entry || entry.type !== 'entry') return endRun(d, 'error', 'the journey has no entry node');
  const context = {
    ...(input.event ? { trigger: { event: input.event.event, properties: input.event.properties } } : {}),
    ...(input.payload ? { payload: input.payload } : {}),
  };
  d.run = { ...d.run, status: 'active', startedAt: d.env.now, context, visits: { [entry.id]: 1 } };
  d.history.push({ nodeId: entry.id, at: d.env.now });
  advance(d, 'next');
}

function fireTimer(d: StepDraft, token: number): void {
  const wait = d.run.wait;
  // A stale timer (the run left that wait, or it was replaced), or one fired early: nothing to do.
  if (!wait || wait.token !== token || d.env.now < wait.until) return;
  const node = d.graph.nodes.get(d.run.nodeId);
  if (!node) return endRun(d, 'error', `the run sits at unknown node ${d.run.nodeId}`);
  clearWait(d);
  switch (wait.kind) {
    case 'delay':
    case 'webhook':
      return advance(d, 'next');
    case 'event':
      return advance(d, 'timeout');
    case 'send': {
      if (node.type !== 'send') return endRun(d, 'error', `send wait at ${node.type} node ${node.id}`);
      const outcome = runSend(d, node, wait.since);
      if (outcome.kind === 'go') advance(d, outcome.branch);
      return;
    }
  }
}

/** Records the goal once per run, within its window; ended runs still convert (the message did its work). */
function checkGoal(d: StepDraft, input: Extract<RunInput, { kind: 'event' }>): void {
  const goal = d.env.journey.goal;
  if (!goal || d.run.convertedAt !== undefined) return;
  if (d.env.now > d.run.startedAt + goal.withinDays * MS_PER_DAY) return;
  if (!matchesEvent(input.event, goal, keyed(d))) return;
  d.run = { ...d.run, convertedAt: d.env.now };
  d.effects.push({
    type: 'record_conversion',
    event: input.event.event,
    revenue: revenueOf(input.event, goal.revenueProperty),
    at: d.env.now,
  });
  if (goal.endRun && d.run.status === 'active') endRun(d, 'goal');
}

const keyed = (d: StepDraft): { runKey?: string; keyProperty?: string } => ({
  ...(d.run.runKey !== undefined ? { runKey: d.run.runKey } : {}),
  ...(d.env.journey.runKey ? { keyProperty: d.env.journey.runKey.property } : {}),
});

function receiveEvent(d: StepDraft, input: Extract<RunInput, { kind: 'event' }>): void {
  checkGoal(d, input);
  if (d.run.status !== 'active') return;
  for (const rule of d.env.journey.exitRules) {
    if (rule.kind === 'event' && matchesEvent(input.event, rule, keyed(d))) return endRun(d, 'exit_rule');
  }
  const node = d.graph.nodes.get(d.run.nodeId);
  if (d.run.wait?.kind !== 'event' || node?.type !== 'wait_for_event') return;
  if (!matchesEvent(input.event, node, keyed(d))) return;
  clearWait(d);
  advance(d, 'event');
}

function receiveSegment(d: StepDraft, input: Extract<RunInput, { kind: 'segment' }>): void {
  const exits = d.env.journey.exitRules.some(
    (r) => r.kind === 'segment' && r.segmentId === input.segmentId && r.member === input.member,
  );
  if (exits) endRun(d, 'exit_rule');
}

function receiveResponse(d: StepDraft, input: Extract<RunInput, { kind: 'webhook_response' }>): void {
  const node = d.graph.nodes.get(d.run.nodeId);
  if (d.run.wait?.kind !== 'webhook' || d.run.wait.token !== input.token || node?.type !== 'webhook') return;
  if (node.responseKey !== undefined)
    d.run = { ...d.run, context: { ...d.run.context, [node.responseKey]: input.body } };
  clearWait(d);
  advance(d, 'next');
}

/**
 * Applies one input to a run: the pure heart of the journey engine. Runs consecutive immediate nodes
 * in one step and stops at a wait or the end; returns the new run state and the effects as data
 * (timers, planned sends, profile updates, webhook calls, assignments, conversions, the end). The same
 * run, input and environment always give the same result. Inputs that do not concern the run (a stale
 * timer, an unrelated event, anything after the end but a goal event) change nothing.
 * @example
 * const { run, effects } = stepRun(createRun(journey, { runId, profileId, now }), { kind: 'start', event }, env);
 */
export function stepRun(run: RunState, input: RunInput, env: StepEnvironment): StepResult {
  const d = createDraft(run, env);
  switch (input.kind) {
    case 'start':
      if (run.status === 'new') start(d, input);
      break;
    case 'timer':
      if (run.status === 'active') fireTimer(d, input.token);
      break;
    case 'event':
      if (run.status !== 'new') receiveEvent(d, input);
      break;
    case 'segment':
      if (run.status === 'active') receiveSegment(d, input);
      break;
    case 'webhook_response':
      if (run.status === 'active') receiveResponse(d, input);
      break;
  }
  return finishDraft(d);
}

export type { StepEnvironment } from './step-draft.js';
