import type { EpochMs } from '../brand.js';
import { timeZoneOf, type Profile } from '../profiles/profile.js';
import type { Journey } from './definition.js';
import { graphOf, type JourneyGraph } from './journey-graph.js';
import type { RecentSend } from './frequency-caps.js';
import type { SendPolicy } from './send-step.js';
import type { EndReason, HistoryEntry, RunEffect, RunState, RunWait, StepResult } from './run-state.js';

/** What one step reads besides the run and the input. */
export interface StepEnvironment {
  readonly journey: Journey;
  /** The person as they are now; update steps apply to a copy so later nodes in the same step see them. */
  readonly profile: Profile;
  readonly now: EpochMs;
  readonly policy: SendPolicy;
  /** The person's messages planned recently by any journey (at least as far back as the longest cap window). */
  readonly recentSends: readonly RecentSend[];
}

/** The working copy of a run during one step (mutable inside the step machine only). */
export interface StepDraft {
  readonly env: StepEnvironment;
  readonly graph: JourneyGraph;
  run: RunState;
  profile: Profile;
  history: HistoryEntry[];
  readonly effects: RunEffect[];
  readonly sends: RecentSend[];
}

/** Starts a step. */
export function createDraft(run: RunState, env: StepEnvironment): StepDraft {
  return {
    env,
    graph: graphOf(env.journey),
    run,
    profile: env.profile,
    history: [...run.history],
    effects: [],
    sends: [...env.recentSends],
  };
}

/** Finishes a step. */
export const finishDraft = (d: StepDraft): StepResult => ({
  run: { ...d.run, history: d.history },
  effects: d.effects,
});

/** Ends the run where it is. */
export function endRun(d: StepDraft, reason: EndReason, detail?: string): void {
  const { wait: _wait, ...rest } = d.run;
  d.run = {
    ...rest,
    status: 'ended',
    endedAt: d.env.now,
    endReason: reason,
    ...(detail !== undefined ? { endDetail: detail } : {}),
  };
  d.effects.push(detail !== undefined ? { type: 'end_run', reason, detail } : { type: 'end_run', reason });
}

/** Makes the run wait at its node for a timer at `until` (a fresh token, so older timers go stale). */
export function waitAt(d: StepDraft, wait: (token: number) => RunWait): void {
  const token = d.run.timerSeq + 1;
  const w = wait(token);
  d.run = { ...d.run, timerSeq: token, wait: w };
  d.effects.push({ type: 'schedule_timer', token, at: w.until, nodeId: d.run.nodeId });
}

/** Clears the wait; the run is about to leave its node. */
export function clearWait(d: StepDraft): void {
  const { wait: _wait, ...rest } = d.run;
  d.run = rest;
}

/** Records the branch the run leaves its current node by. */
export function noteBranch(d: StepDraft, branch: string): void {
  const last = d.history[d.history.length - 1];
  if (last && last.nodeId === d.run.nodeId) d.history[d.history.length - 1] = { ...last, branch };
}

/** The time zone used for this person: their own, else the journey's default. */
export const timeZoneOfDraft = (d: StepDraft): string =>
  timeZoneOf(d.profile) ?? d.env.journey.settings.defaultTimeZone;

/** The idempotency key of a node's outward action: `run:node:channel`, with `#n` on the n-th visit (n > 1). */
export function keyFor(d: StepDraft, nodeId: string, channel: string): string {
  const visits = d.run.visits[nodeId] ?? 1;
  return `${d.run.runId}:${nodeId}${visits > 1 ? `#${visits}` : ''}:${channel}`;
}
