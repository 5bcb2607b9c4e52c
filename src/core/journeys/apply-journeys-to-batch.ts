import type { EpochMs, ProfileId } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import type { ResolvedEvent } from '../profiles/resolve-batch.js';
import { readApiStart } from './api-start.js';
import type { Journey } from './definition.js';
import { decideEntry, keyedBy, matchEventTrigger } from './entry.js';
import type {
  JourneyStepResult,
  ProfileGuard,
  ProfileJourneyState,
  ProfileTimerWrite,
  RunWrite,
} from './journey-write.js';
import { dateTimerOf, dateTriggerOf, type ScheduledStart } from './scheduled-starts.js';
import { readWebhookResponse } from './webhook-response.js';
import {
  createProfilePass,
  liveRuns,
  runWrite,
  startOne,
  stepOne,
  type PassContext,
  type ProfilePass,
  type WriteDraft,
} from './profile-pass.js';
import type { JourneyEvent, RunEffect, RunInput } from './run-state.js';

/** A journey hands the person on at most this many times in one batch (a guard against ping-pong). */
const MAX_HAND_OFFS = 5;

/** What a batch gives the journey step. */
export interface JourneyBatch {
  /** People after segment evaluation (their memberships are what conditions see). */
  readonly profiles: readonly Profile[];
  /** Their new events in order, including `Segment Entered` / `Segment Exited` and API starts. */
  readonly events: readonly ResolvedEvent[];
  /** Journey timers due, in due order. */
  readonly timers?: readonly {
    readonly runId: string;
    readonly profileId: ProfileId;
    readonly token: number;
  }[];
  /** Runs that schedule and date triggers start now (re-entry rules apply; duplicates start nothing). */
  readonly starts?: readonly ScheduledStart[];
  /** Each person's journey state, as loaded; people without one are left alone. */
  readonly states: ReadonlyMap<ProfileId, ProfileJourneyState>;
}

export interface JourneyBatchContext extends PassContext {
  /** Events that happened before this do not start runs (a history import is not a live trigger). */
  readonly startsSince?: EpochMs;
}

function latestById(p: ProfilePass, id: string): Journey | undefined {
  return p.ctx.journeys.latest.find((j) => j.id === id);
}

/** Starts a run if the re-entry rules allow; an API start that is refused is recorded as a decision. */
function tryStart(
  p: ProfilePass,
  journey: Journey,
  start: { runKey?: string; runId?: string; input: Extract<RunInput, { kind: 'start' }> },
  depth: number,
): void {
  if (start.runId !== undefined && p.heads.has(start.runId)) return; // a duplicate request
  const heads = [...p.heads.values()].filter((h) => h.journeyId === journey.id);
  const now = p.ctx.now;
  const entry = decideEntry(journey, heads, {
    now,
    ...(start.runKey !== undefined ? { runKey: start.runKey } : {}),
  });
  if (!entry.ok) {
    if (start.runId !== undefined)
      p.out.decisions.push({
        runId: start.runId,
        journeyId: journey.id,
        nodeId: '',
        kind: 'refused',
        reason: entry.error,
        at: now,
      });
    return;
  }
  const runId = start.runId ?? p.ctx.newRunId();
  const handOffs = startOne(p, journey, { ...start, runId });
  follow(p, runId, handOffs, depth);
}

/** Starts the journeys a run handed the person to (`go_to_journey`), as API starts with its context. */
function follow(p: ProfilePass, fromRunId: string, handOffs: readonly RunEffect[], depth: number): void {
  for (const e of handOffs) {
    if (e.type !== 'start_journey' || depth >= MAX_HAND_OFFS) continue;
    const journey = latestById(p, e.journeyId);
    if (!journey) continue;
    const trigger = e.context.trigger as { properties?: Record<string, unknown> } | undefined;
    const key = keyedBy(journey, trigger?.properties ?? {});
    if (!key.ok) continue;
    const runId = `${fromRunId}>${journey.id}`;
    tryStart(p, journey, { ...key.value, runId, input: { kind: 'start', payload: e.context } }, depth + 1);
  }
}

function feedEvent(p: ProfilePass, event: JourneyEvent, at: EpochMs, startsSince: EpochMs | undefined): void {
  const response = readWebhookResponse(event);
  if (response) {
    const run = p.runs.get(response.runId);
    if (run) stepOne(p, run, { kind: 'webhook_response', token: response.token, body: response.body });
    return;
  }
  const api = readApiStart(event);
  if (api) {
    const journey = latestById(p, api.journeyId);
    const key = journey ? keyedBy(journey, api.context) : undefined;
    if (!journey || !key) return;
    if (!key.ok) {
      p.out.decisions.push({
        runId: api.runId,
        journeyId: journey.id,
        nodeId: '',
        kind: 'refused',
        reason: key.error,
        at: p.ctx.now,
      });
      return;
    }
    return tryStart(
      p,
      journey,
      { ...key.value, runId: api.runId, input: { kind: 'start', payload: api.context } },
      0,
    );
  }
  const segmentId = event.properties.segment_id;
  const membership =
    typeof segmentId === 'string' && (event.event === 'Segment Entered' || event.event === 'Segment Exited')
      ? { segmentId, member: event.event === 'Segment Entered' }
      : undefined;
  for (const run of liveRuns(p)) {
    follow(p, run.runId, stepOne(p, run, { kind: 'event', event }), 0);
    const now = p.runs.get(run.runId);
    if (membership && now?.status === 'active') stepOne(p, now, { kind: 'segment', ...membership });
  }
  if (startsSince !== undefined && at < startsSince) return;
  for (const journey of p.ctx.journeys.latest) {
    const t = journey.trigger;
    if (t.type === 'segment') {
      if (!membership || t.segmentId !== membership.segmentId || (t.on === 'entered') !== membership.member)
        continue;
      tryStart(p, journey, { input: { kind: 'start', event } }, 0);
      continue;
    }
    const matched = matchEventTrigger(journey, event);
    if (matched.ok) tryStart(p, journey, { ...matched.value, input: { kind: 'start', event } }, 0);
  }
}

/**
 * Keeps each date trigger's timer in step with the person's traits (set, moved or cleared as the
 * trait changes). A timer already due is left to fire first; firing sets the next one.
 */
function maintainDateTimers(p: ProfilePass): ProfileTimerWrite[] {
  const out: ProfileTimerWrite[] = [];
  for (const journey of p.ctx.journeys.latest) {
    if (!dateTriggerOf(journey)) continue;
    const dueAt = dateTimerOf(journey, p.profile, p.ctx.now) ?? null;
    const base = { journeyId: journey.id, profileId: p.profile.id, slot: 'date' };
    out.push({ ...base, dueAt, unlessDueBy: p.ctx.now });
  }
  return out;
}

function groupBy<T extends { readonly profileId: ProfileId }>(items: readonly T[]): Map<ProfileId, T[]> {
  const out = new Map<ProfileId, T[]>();
  for (const item of items) {
    let list = out.get(item.profileId);
    if (!list) out.set(item.profileId, (list = []));
    list.push(item);
  }
  return out;
}

const journeyEventOf = (e: ResolvedEvent): JourneyEvent | undefined =>
  e.message.type === 'track' && typeof e.message.event === 'string'
    ? { event: e.message.event, properties: e.message.properties ?? {}, messageId: e.message.messageId }
    : undefined;

/**
 * The journey half of processing a batch, pure: feeds each person's new events (in order) and due
 * timers to their runs through the step machine, starts the runs triggers and API starts ask for
 * (re-entry rules applied), and returns everything to commit with the batch: run states, timers, planned
 * sends, decisions, conversions, assignments, the inputs each run took, traits journeys updated, and per
 * person the guard that makes the commit conditional (see `ProfileGuard`).
 * @example const { write, profiles } = applyJourneysToBatch({ profiles, events, states }, { journeys, now, newRunId });
 */
export function applyJourneysToBatch(batch: JourneyBatch, ctx: JourneyBatchContext): JourneyStepResult {
  const out: WriteDraft = {
    timers: [],
    sends: [],
    decisions: [],
    conversions: [],
    assignments: [],
    inputs: [],
  };
  const eventsOf = new Map<ProfileId, ResolvedEvent[]>();
  for (const e of batch.events) {
    let list = eventsOf.get(e.profileId);
    if (!list) eventsOf.set(e.profileId, (list = []));
    list.push(e);
  }
  const timersOf = new Map<ProfileId, { runId: string; token: number }[]>();
  for (const t of batch.timers ?? []) {
    let list = timersOf.get(t.profileId);
    if (!list) timersOf.set(t.profileId, (list = []));
    list.push(t);
  }
  const startsOf = groupBy(batch.starts ?? []);
  const profileTimers: ProfileTimerWrite[] = [];
  const runs: RunWrite[] = [];
  const guards = new Map<ProfileId, ProfileGuard>();
  const profiles = new Map<ProfileId, Profile>();
  for (const profile of batch.profiles) {
    const state = batch.states.get(profile.id);
    if (!state) continue;
    const p = createProfilePass(ctx, out, profile, state);
    for (const start of startsOf.get(profile.id) ?? []) {
      const journey = latestById(p, start.journeyId);
      if (journey)
        tryStart(p, journey, { runId: start.runId, input: { kind: 'start', payload: start.payload } }, 0);
    }
    for (const t of timersOf.get(profile.id) ?? []) {
      const run = p.runs.get(t.runId);
      if (run) follow(p, run.runId, stepOne(p, run, { kind: 'timer', token: t.token }), 0);
    }
    let firstSeq = 0;
    let lastSeq = state.lastSeq;
    for (const e of eventsOf.get(profile.id) ?? []) {
      if (e.seq > 0) {
        if (firstSeq === 0) firstSeq = e.seq;
        lastSeq = Math.max(lastSeq, e.seq);
      }
      const event = journeyEventOf(e);
      if (event) feedEvent(p, event, e.timestamp, ctx.startsSince);
    }
    for (const id of p.changed) runs.push(runWrite(p, p.runs.get(id)!));
    profileTimers.push(...maintainDateTimers(p));
    guards.set(profile.id, { expectedVersion: state.version, firstSeq, lastSeq });
    if (p.profileChanged) profiles.set(profile.id, p.profile);
  }
  const firedTimers = (batch.timers ?? []).map((t) => ({ runId: t.runId, token: t.token }));
  const inboxFirstSeq = batch.events.reduce(
    (min, e) => (e.seq > 0 && (min === 0 || e.seq < min) ? e.seq : min),
    0,
  );
  return {
    write: {
      ...out,
      runs,
      firedTimers,
      guards,
      inboxFirstSeq,
      ...(profileTimers.length > 0 ? { profileTimers } : {}),
    },
    profiles,
  };
}
