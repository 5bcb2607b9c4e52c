import { MS_PER_DAY, type EpochMs } from '../brand.js';
import { setTraits, type Profile } from '../profiles/profile.js';
import { versionKey, type ActiveJourneys } from './active-journeys.js';
import type { Journey } from './definition.js';
import type { RecentSend } from './frequency-caps.js';
import type {
  AssignmentRecord,
  ConversionRecord,
  DecisionRecord,
  InputRecord,
  ProfileJourneyState,
  RunHead,
  RunWrite,
  SendRecord,
  TimerRecord,
} from './journey-write.js';
import { countersDelta } from './journey-stats.js';
import type { RunEffect, RunInput, RunState } from './run-state.js';
import { createRun } from './run-state.js';
import { stepRun } from './step-machine.js';

/** What every person's pass in a batch shares. */
export interface PassContext {
  readonly journeys: ActiveJourneys;
  readonly now: EpochMs;
  /** A fresh run id (the engine's; tests pass a counter). */
  readonly newRunId: () => string;
}

/** The records a batch accumulates across people (mutable while the batch is stepped). */
export interface WriteDraft {
  readonly timers: TimerRecord[];
  readonly sends: SendRecord[];
  readonly decisions: DecisionRecord[];
  readonly conversions: ConversionRecord[];
  readonly assignments: AssignmentRecord[];
  readonly inputs: InputRecord[];
}

/** One person's working state during a batch. */
export interface ProfilePass {
  readonly ctx: PassContext;
  readonly out: WriteDraft;
  profile: Profile;
  profileChanged: boolean;
  readonly runs: Map<string, RunState>;
  /** The runs as loaded, so a write can say what it changed in the journey's counters. */
  readonly loaded: ReadonlyMap<string, RunState>;
  readonly heads: Map<string, RunHead>;
  readonly sends: RecentSend[];
  /** Runs changed in this batch, by id. */
  readonly changed: Set<string>;
}

/** Starts a person's pass from the state the engine loaded. */
export function createProfilePass(
  ctx: PassContext,
  out: WriteDraft,
  profile: Profile,
  state: ProfileJourneyState,
): ProfilePass {
  return {
    ctx,
    out,
    profile,
    profileChanged: false,
    runs: new Map(state.runs.map((r) => [r.runId, r])),
    loaded: new Map(state.runs.map((r) => [r.runId, r])),
    heads: new Map(state.heads.map((h) => [h.runId, h])),
    sends: [...state.recentSends],
    changed: new Set(),
  };
}

const journeyOf = (p: ProfilePass, run: RunState): Journey | undefined =>
  p.ctx.journeys.versions.get(versionKey(run.journeyId, run.version));

/** The person's runs that may take an input, higher-priority journeys first (they win a contested cap). */
export function liveRuns(p: ProfilePass): RunState[] {
  const priority = (r: RunState): number => journeyOf(p, r)?.settings.priority ?? 0;
  return [...p.runs.values()].sort((a, b) => priority(b) - priority(a) || a.startedAt - b.startedAt);
}

/** When a run's goal window closes (null: the journey has no goal). */
export const goalUntil = (journey: Journey, run: RunState): EpochMs | null =>
  journey.goal ? ((run.startedAt + journey.goal.withinDays * MS_PER_DAY) as EpochMs) : null;

/** The run's state for the store. */
export function runWrite(p: ProfilePass, run: RunState): RunWrite {
  const journey = journeyOf(p, run);
  const counters = countersDelta(p.loaded.get(run.runId), run);
  return { state: run, goalUntil: journey ? goalUntil(journey, run) : null, counters };
}

/** Applies `update_profile` as the step machine did on its copy, so later steps and the store agree. */
function updateProfile(p: ProfilePass, effect: Extract<RunEffect, { type: 'update_profile' }>): void {
  const traits: Record<string, unknown> = { ...effect.set };
  for (const [name, by] of Object.entries(effect.increment)) {
    const current = p.profile.traits[name];
    traits[name] = (typeof current === 'number' && Number.isFinite(current) ? current : 0) + by;
  }
  p.profile = setTraits(p.profile, traits, p.ctx.now);
  p.profileChanged = true;
}

/** Turns a step's effects into records; returns the journeys the run hands the person to. */
function record(p: ProfilePass, run: RunState, effects: readonly RunEffect[]): RunEffect[] {
  const { out, ctx } = p;
  const at = ctx.now;
  const base = { runId: run.runId, journeyId: run.journeyId };
  const handOffs: RunEffect[] = [];
  for (const e of effects) {
    switch (e.type) {
      case 'schedule_timer':
        out.timers.push({ runId: run.runId, profileId: run.profileId, token: e.token, dueAt: e.at });
        break;
      case 'plan_send':
        p.sends.push({ at, channel: e.channel, category: e.category });
        out.sends.push({
          ...base,
          idempotencyKey: e.idempotencyKey,
          profileId: run.profileId,
          nodeId: e.nodeId,
          kind: 'message',
          channel: e.channel,
          category: e.category,
          target: e.template,
          at,
          context: run.context,
        });
        break;
      case 'call_webhook':
        out.sends.push({
          ...base,
          idempotencyKey: e.idempotencyKey,
          profileId: run.profileId,
          nodeId: e.nodeId,
          kind: 'webhook',
          channel: 'webhook',
          category: 'transactional',
          target: e.url,
          at,
          context: { method: e.method, headers: e.headers, body: e.body ?? null, token: e.token ?? null },
        });
        break;
      case 'defer_send':
        out.decisions.push({
          ...base,
          nodeId: e.nodeId,
          kind: 'deferred',
          reason: e.reason,
          at,
          until: e.until,
        });
        break;
      case 'skip_send':
        out.decisions.push({ ...base, nodeId: e.nodeId, kind: 'skipped', reason: e.reason, at });
        break;
      case 'update_profile':
        updateProfile(p, e);
        break;
      case 'record_assignment':
        out.assignments.push({ ...base, nodeId: e.nodeId, branch: e.branch, at });
        break;
      case 'record_conversion':
        out.conversions.push({
          ...base,
          version: run.version,
          profileId: run.profileId,
          event: e.event,
          revenue: e.revenue,
          at: e.at,
        });
        break;
      case 'start_journey':
        handOffs.push(e);
        break;
      case 'end_run':
        break;
    }
  }
  return handOffs;
}

/**
 * Steps one run with one input through the pure step machine, at the pass's `now`, with the person's
 * sends so far (so caps count what earlier runs planned in this very batch). Returns hand-offs.
 */
export function stepOne(p: ProfilePass, run: RunState, input: RunInput): RunEffect[] {
  const journey = journeyOf(p, run);
  if (!journey) return [];
  const env = {
    journey,
    profile: p.profile,
    now: p.ctx.now,
    policy: p.ctx.journeys.policy,
    recentSends: p.sends,
  };
  const result = stepRun(run, input, env);
  if (result.effects.length === 0 && result.run.context === run.context) return [];
  p.runs.set(run.runId, result.run);
  p.heads.set(run.runId, {
    runId: run.runId,
    journeyId: run.journeyId,
    status: result.run.status,
    startedAt: result.run.startedAt,
    ...(run.runKey !== undefined ? { runKey: run.runKey } : {}),
  });
  p.changed.add(run.runId);
  p.out.inputs.push({ runId: run.runId, at: p.ctx.now, input });
  return record(p, result.run, result.effects);
}

/** Creates and starts a run; the caller has checked the entry rules. Returns hand-offs. */
export function startOne(
  p: ProfilePass,
  journey: Journey,
  start: {
    readonly runId: string;
    readonly runKey?: string;
    readonly input: Extract<RunInput, { kind: 'start' }>;
  },
): RunEffect[] {
  const run = createRun(journey, {
    runId: start.runId,
    profileId: p.profile.id,
    now: p.ctx.now,
    ...(start.runKey !== undefined ? { runKey: start.runKey } : {}),
  });
  p.runs.set(run.runId, run);
  return stepOne(p, run, start.input);
}
