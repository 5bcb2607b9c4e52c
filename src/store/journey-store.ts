import type { EpochMs, ProfileId } from '../core/brand.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import type { Journey } from '../core/journeys/definition.js';
import type {
  DecisionRecord,
  JourneyWrite,
  ProfileJourneyState,
  ScheduleState,
  SendRecord,
} from '../core/journeys/journey-write.js';
import type { RunState } from '../core/journeys/run-state.js';

/** A journey as stored: its draft (any JSON the editor saved) and its latest published version. */
export interface StoredJourney {
  readonly id: string;
  /** The draft as saved; not validated until publishing. Absent once published and not edited since. */
  readonly draft?: unknown;
  readonly publishedVersion?: number;
  readonly published?: Journey;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

/** What publishing did. */
export interface PublishOutcome {
  readonly version: number;
  /** Runs moved to the new version (their node still exists there). */
  readonly migrated: number;
  /** Runs left on their version (asked not to move, or their node is gone). */
  readonly stayed: number;
}

/** A journey timer due. */
export interface DueJourneyTimer {
  readonly runId: string;
  readonly profileId: ProfileId;
  readonly token: number;
  readonly dueAt: EpochMs;
}

/** Raised by a commit whose journey state another writer moved since it was read; the batch is retried. */
export class JourneyConflictError extends Error {
  readonly code = 'journey_conflict';
  constructor(readonly profileId: ProfileId | 'inbox' | 'schedule') {
    super(`the journey state of ${profileId} changed under this batch`);
  }
}

/** A journey's broadcast schedule as stored (see `ScheduleState`). */
export interface StoredSchedule extends ScheduleState {
  readonly journeyId: string;
  readonly version: number;
}

/** A per-person timer of a local-time broadcast (slot: the occurrence) or a date trigger (slot `date`). */
export interface DueProfileTimer {
  readonly journeyId: string;
  readonly profileId: ProfileId;
  readonly slot: string;
  readonly dueAt: EpochMs;
}

/** A journey's counters (node id empty for the journey's own) and the runs waiting at each node now. */
export interface JourneyCounters {
  readonly counters: readonly { readonly nodeId: string; readonly name: string; readonly value: number }[];
  readonly waiting: ReadonlyMap<string, number>;
}

/** A webhook call a run planned, waiting to be made. */
export interface JourneyWebhookCall {
  readonly id: number;
  readonly attempts: number;
  readonly idempotencyKey: string;
  readonly profileId: ProfileId;
  readonly runId: string;
  readonly nodeId: string;
  readonly url: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: unknown;
  /** The run's wait token, when it waits for the response. */
  readonly token?: number;
}

/** What became of a webhook call: done, to be retried at a time, or given up. */
export type WebhookCallOutcome =
  | { readonly status: 'done' }
  | { readonly status: 'pending'; readonly retryAt: EpochMs; readonly error: string }
  | { readonly status: 'failed'; readonly error: string };

/** Filters for listing runs. */
export interface RunQuery {
  readonly journeyId?: string;
  readonly profileId?: ProfileId;
  readonly status?: RunState['status'];
  readonly limit: number;
  /** The last run id of the previous page. */
  readonly after?: string;
}

/** The raw material of a journey's statistics. */
export interface JourneyActivity {
  readonly runs: readonly RunState[];
  readonly sends: readonly SendRecord[];
  readonly decisions: readonly DecisionRecord[];
  readonly revenue: number;
}

/**
 * The journey half of the store: drafts and published versions, runs and their timers, planned
 * sends (the log channel and the recent sends caps count), decisions, conversions and assignments.
 * Runs change only through `commitBatch` (`BatchWrite.journeys`), in the engine's transaction.
 */
export interface JourneyStore {
  /** Saves a draft (created when new). */
  saveJourneyDraft(id: string, draft: unknown, now: EpochMs): Promise<StoredJourney>;
  getJourney(id: string): Promise<StoredJourney | undefined>;
  listJourneys(): Promise<readonly StoredJourney[]>;
  /** Deletes a journey that was never published; false when it does not exist or has been published. */
  deleteJourney(id: string): Promise<boolean>;
  /**
   * Publishes a validated journey as the next version; with `migrate`, moves in-flight runs of older
   * versions whose node still exists to it. Bumps the journeys revision the engines watch.
   */
  publishJourney(journey: Journey, options: { migrate: boolean; now: EpochMs }): Promise<PublishOutcome>;
  getJourneyVersion(id: string, version: number): Promise<Journey | undefined>;
  /** The latest published version of every journey, and all published versions (runs may be on any). */
  publishedJourneys(): Promise<{ latest: Journey[]; all: Journey[] }>;
  /** A counter bumped whenever journeys or the send policy change (engines reload when it moves). */
  journeysRevision(): Promise<number>;
  bumpJourneysRevision(): Promise<void>;
  /**
   * People's journey state, read in one snapshot: live runs (not ended, or ended inside an open goal
   * window), heads of all their runs, and the sends planned since `sendsSince`.
   */
  loadJourneyStates(
    ids: Iterable<ProfileId>,
    options: { now: EpochMs; sendsSince: EpochMs },
  ): Promise<Map<ProfileId, ProfileJourneyState>>;
  /** Every journey's broadcast schedule row. */
  journeySchedules(): Promise<StoredSchedule[]>;
  /** Records the schedule of a newly published version (an older version's row is replaced). */
  syncJourneySchedule(journeyId: string, version: number, state: ScheduleState): Promise<void>;
  /** Per-person schedule and date timers due at `now`, in due order. */
  dueProfileTimers(now: EpochMs, limit: number): Promise<DueProfileTimer[]>;
  /** A journey's counters and waiting runs, for its statistics in O(nodes). */
  journeyCounters(journeyId: string): Promise<JourneyCounters>;
  /** Deletes the inputs of runs that ended before `endedBefore`; returns how many were deleted. */
  pruneJourneyInputs(endedBefore: EpochMs): Promise<number>;
  /** Webhook calls due to be made. */
  pendingJourneyWebhooks(now: EpochMs, limit: number): Promise<JourneyWebhookCall[]>;
  settleJourneyWebhook(id: number, outcome: WebhookCallOutcome): Promise<void>;
  /** Journey timers due at `now`, in due order. */
  dueJourneyTimers(now: EpochMs, limit: number): Promise<DueJourneyTimer[]>;
  /** The earliest journey timer, per-person timer or broadcast (a fan-out in progress: 0). */
  nextJourneyTimer(): Promise<EpochMs | undefined>;
  getRun(runId: string): Promise<RunState | undefined>;
  listRuns(query: RunQuery): Promise<readonly RunState[]>;
  /** The inputs a run took, oldest first, for replays and audits. */
  runInputs(runId: string): Promise<{ at: EpochMs; input: unknown }[]>;
  /** Why an API start was refused, if it was. */
  refusalOf(runId: string): Promise<string | undefined>;
  /** Sends planned by runs of a journey or for a person, oldest first. */
  listSends(filter: { journeyId?: string; profileId?: ProfileId; limit: number }): Promise<SendRecord[]>;
  journeyActivity(journeyId: string): Promise<JourneyActivity>;
  /**
   * Track events with timestamps in [from, to] (for simulations): stored ones by person then time,
   * and the membership changes of the window as their `Segment Entered` / `Segment Exited` events.
   */
  scanEventsBetween(
    from: EpochMs,
    to: EpochMs,
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): Promise<number>;
}

export type { JourneyWrite };
