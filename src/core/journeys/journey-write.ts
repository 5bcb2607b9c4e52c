import type { EpochMs, ProfileId } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import type { JourneyChannel } from './channels.js';
import type { RecentSend, SendCategory } from './frequency-caps.js';
import type { RunInput, RunState } from './run-state.js';

/**
 * What the journey half of processing a batch reads and writes, as data: the engine loads a
 * `ProfileJourneyState` per person, the pure step turns inputs into a `JourneyWrite`, and the store
 * commits it in the same transaction as the batch that caused it.
 */

/** What re-entry rules need of every earlier run of a person (all journeys, all versions). */
export interface RunHead {
  readonly runId: string;
  readonly journeyId: string;
  readonly status: RunState['status'];
  readonly startedAt: EpochMs;
  readonly runKey?: string;
}

/** A person's journey state as the engine loaded it, in one read snapshot. */
export interface ProfileJourneyState {
  /** Runs that can still change: not ended, or ended but still inside an open goal window. */
  readonly runs: readonly RunState[];
  readonly heads: readonly RunHead[];
  /** Messages planned for the person recently (as far back as the longest cap window). */
  readonly recentSends: readonly RecentSend[];
  /** The version of the person's journey state; the commit is conditional on it (see `JourneyWrite`). */
  readonly version: number;
  /** The highest inbox sequence number already applied to the person's runs. */
  readonly lastSeq: number;
}

/** A run's new state, with when its goal window closes (so the store can stop loading it after). */
export interface RunWrite {
  readonly state: RunState;
  readonly goalUntil: EpochMs | null;
  /** What this write changes in the journey's counters (see `runCounters`), keyed `node\tcounter`. */
  readonly counters?: Readonly<Record<string, number>>;
}

/** A per-person timer of a schedule or date trigger to set (`dueAt`) or clear (`null`). */
export interface ProfileTimerWrite {
  readonly journeyId: string;
  readonly profileId: ProfileId;
  /** The occurrence of a local-time broadcast, or `date` for a date trigger. */
  readonly slot: string;
  readonly dueAt: EpochMs | null;
  /** Leaves alone a timer already due by this time: it fires first, and then sets the next itself. */
  readonly unlessDueBy?: EpochMs;
}

/** A per-person timer that fired (deleted unless it was moved meanwhile). */
export interface FiredProfileTimer {
  readonly journeyId: string;
  readonly profileId: ProfileId;
  readonly slot: string;
  readonly dueAt: EpochMs;
}

/** A journey's broadcast state: the next occurrence, and the one being fanned out with its cursor. */
export interface ScheduleState {
  readonly nextAt: EpochMs | null;
  readonly fanningAt: EpochMs | null;
  /** The last member (profile id) the fan-out has reached. */
  readonly cursor: string;
}

/** Moves a broadcast on, if it is still where the engine read it (else the commit fails and is retried). */
export interface ScheduleAdvance {
  readonly journeyId: string;
  readonly expected: ScheduleState;
  readonly next: ScheduleState;
}

/** A message planned by a send step (or a webhook call), as the log of recent sends and stats keep it. */
export interface SendRecord {
  readonly idempotencyKey: string;
  readonly profileId: ProfileId;
  readonly runId: string;
  readonly journeyId: string;
  readonly nodeId: string;
  readonly kind: 'message' | 'webhook';
  readonly channel: JourneyChannel | 'webhook';
  readonly category: SendCategory;
  /** Template id (a message) or URL (a webhook). */
  readonly target: string;
  readonly at: EpochMs;
  /** The run context for rendering (trigger event, payload, webhook responses). */
  readonly context: Readonly<Record<string, unknown>>;
}

/** A decision taken on a send (held by a cap or quiet hours, or skipped), or on a start that was refused. */
export interface DecisionRecord {
  readonly runId: string;
  readonly journeyId: string;
  readonly nodeId: string;
  readonly kind: 'deferred' | 'skipped' | 'refused';
  readonly reason: string;
  readonly at: EpochMs;
  readonly until?: EpochMs;
}

export interface ConversionRecord {
  readonly runId: string;
  readonly journeyId: string;
  readonly version: number;
  readonly profileId: ProfileId;
  readonly event: string;
  readonly revenue: number;
  readonly at: EpochMs;
}

export interface AssignmentRecord {
  readonly runId: string;
  readonly journeyId: string;
  readonly nodeId: string;
  readonly branch: string;
  readonly at: EpochMs;
}

export interface TimerRecord {
  readonly runId: string;
  readonly profileId: ProfileId;
  readonly token: number;
  readonly dueAt: EpochMs;
}

/** One input a run took that changed it, kept so a run can be replayed through the step machine. */
export interface InputRecord {
  readonly runId: string;
  readonly at: EpochMs;
  readonly input: RunInput;
}

/** The guard of a person's journey state: the commit fails if another writer moved it since it was read. */
export interface ProfileGuard {
  readonly expectedVersion: number;
  /** The lowest inbox sequence number of this person's inputs in the batch (0: none). */
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** Everything the journey step decided for a batch, committed with it. */
export interface JourneyWrite {
  readonly runs: readonly RunWrite[];
  readonly timers: readonly TimerRecord[];
  /** Timers fired in this batch (deleted; stale or duplicate ones were harmless anyway). */
  readonly firedTimers: readonly { readonly runId: string; readonly token: number }[];
  readonly sends: readonly SendRecord[];
  readonly decisions: readonly DecisionRecord[];
  readonly conversions: readonly ConversionRecord[];
  readonly assignments: readonly AssignmentRecord[];
  readonly inputs: readonly InputRecord[];
  readonly profileTimers?: readonly ProfileTimerWrite[];
  readonly firedProfileTimers?: readonly FiredProfileTimer[];
  readonly schedule?: ScheduleAdvance;
  readonly guards: ReadonlyMap<ProfileId, ProfileGuard>;
  /**
   * The lowest inbox sequence number the batch consumes (0: none). The commit fails if the inbox cursor
   * has reached it: another engine applied these entries first.
   */
  readonly inboxFirstSeq: number;
}

/** What the pure step returns: the journey write and the profiles whose traits journeys updated. */
export interface JourneyStepResult {
  readonly write: JourneyWrite;
  readonly profiles: ReadonlyMap<ProfileId, Profile>;
}

/** A write with nothing in it. */
export const EMPTY_JOURNEY_WRITE: JourneyWrite = {
  runs: [],
  timers: [],
  firedTimers: [],
  sends: [],
  decisions: [],
  conversions: [],
  assignments: [],
  inputs: [],
  guards: new Map(),
  inboxFirstSeq: 0,
};
