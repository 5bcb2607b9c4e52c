import type { EpochMs, ProfileId } from '../brand.js';
import type { JourneyChannel } from './channels.js';
import type { Journey } from './definition.js';
import type { SendCategory } from './frequency-caps.js';

/** A tracked event as the journey sees it. */
export interface JourneyEvent {
  readonly event: string;
  readonly properties: Readonly<Record<string, unknown>>;
  readonly messageId?: string;
}

/** What the run is waiting for at its current node. `token` names the timer that ends the wait. */
export type RunWait =
  | { readonly kind: 'delay'; readonly token: number; readonly until: EpochMs }
  | { readonly kind: 'event'; readonly token: number; readonly until: EpochMs }
  /** A send held by a frequency cap or quiet hours since `since`. */
  | { readonly kind: 'send'; readonly token: number; readonly until: EpochMs; readonly since: EpochMs }
  | { readonly kind: 'webhook'; readonly token: number; readonly until: EpochMs };

/** Why a run ended. */
export type EndReason = 'completed' | 'goal' | 'exit_rule' | 'handed_off' | 'error';

/** One node the run passed through, and the branch it left by. */
export interface HistoryEntry {
  readonly nodeId: string;
  readonly at: EpochMs;
  readonly branch?: string;
}

/**
 * A run of one journey version for one person (and one run key): exactly one current node, what it
 * waits for there, its context (trigger event, API payload, webhook responses), its split assignments,
 * and the way it came.
 */
export interface RunState {
  readonly runId: string;
  readonly journeyId: string;
  readonly version: number;
  readonly profileId: ProfileId;
  readonly runKey?: string;
  readonly status: 'new' | 'active' | 'ended';
  readonly nodeId: string;
  readonly wait?: RunWait;
  readonly startedAt: EpochMs;
  readonly context: Readonly<Record<string, unknown>>;
  /** Random split node id → branch key, recorded once so every replay and revisit agrees. */
  readonly assignments: Readonly<Record<string, string>>;
  /** Node id → times entered; makes the idempotency keys of a revisited send node distinct. */
  readonly visits: Readonly<Record<string, number>>;
  readonly history: readonly HistoryEntry[];
  /** The last timer token handed out. */
  readonly timerSeq: number;
  readonly convertedAt?: EpochMs;
  readonly endedAt?: EpochMs;
  readonly endReason?: EndReason;
  readonly endDetail?: string;
}

/** Something that happens to a run. Events carry every exit-rule, goal and wait check at once. */
export type RunInput =
  /** The trigger fired: the trigger event (if any) and an API payload become the run's context. */
  | {
      readonly kind: 'start';
      readonly event?: JourneyEvent;
      readonly payload?: Readonly<Record<string, unknown>>;
    }
  | { readonly kind: 'timer'; readonly token: number }
  | { readonly kind: 'event'; readonly event: JourneyEvent }
  | { readonly kind: 'segment'; readonly segmentId: string; readonly member: boolean }
  | { readonly kind: 'webhook_response'; readonly token: number; readonly body: unknown };

/** An outcome of a step, as data: the engine commits these with the new run state, then acts on them. */
export type RunEffect =
  | { readonly type: 'schedule_timer'; readonly token: number; readonly at: EpochMs; readonly nodeId: string }
  | {
      readonly type: 'plan_send';
      readonly idempotencyKey: string;
      readonly nodeId: string;
      readonly template: string;
      readonly channel: JourneyChannel;
      readonly category: SendCategory;
      readonly priority: number;
    }
  /** The decision taken on a send held back or dropped, for the record and the dashboards. */
  | {
      readonly type: 'defer_send';
      readonly nodeId: string;
      readonly until: EpochMs;
      readonly reason: 'frequency_cap' | 'quiet_hours';
    }
  | { readonly type: 'skip_send'; readonly nodeId: string; readonly reason: string }
  | {
      readonly type: 'update_profile';
      readonly set: Readonly<Record<string, unknown>>;
      readonly increment: Readonly<Record<string, number>>;
    }
  | {
      readonly type: 'call_webhook';
      readonly nodeId: string;
      readonly idempotencyKey: string;
      readonly method: string;
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
      readonly body?: unknown;
      /** Present when the run waits for the response: send it back as a `webhook_response` input. */
      readonly token?: number;
    }
  | {
      readonly type: 'start_journey';
      readonly journeyId: string;
      readonly context: Readonly<Record<string, unknown>>;
    }
  | { readonly type: 'record_assignment'; readonly nodeId: string; readonly branch: string }
  | {
      readonly type: 'record_conversion';
      readonly event: string;
      readonly revenue: number;
      readonly at: EpochMs;
    }
  | { readonly type: 'end_run'; readonly reason: EndReason; readonly detail?: string };

/** The new state of a run and what to do about it. */
export interface StepResult {
  readonly run: RunState;
  readonly effects: readonly RunEffect[];
}

/**
 * A run that has not started yet: it sits at the entry node until a `start` input.
 * @example createRun(journey, { runId: 'run_1', profileId, now, runKey: 'cart-9' })
 */
export function createRun(
  journey: Journey,
  options: {
    readonly runId: string;
    readonly profileId: ProfileId;
    readonly now: EpochMs;
    readonly runKey?: string;
  },
): RunState {
  const entry = journey.nodes.find((n) => n.type === 'entry');
  return {
    runId: options.runId,
    journeyId: journey.id,
    version: journey.version,
    profileId: options.profileId,
    ...(options.runKey !== undefined ? { runKey: options.runKey } : {}),
    status: 'new',
    nodeId: entry?.id ?? '',
    startedAt: options.now,
    context: {},
    assignments: {},
    visits: {},
    history: [],
    timerSeq: 0,
  };
}
