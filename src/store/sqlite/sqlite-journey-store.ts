import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { Journey } from '../../core/journeys/definition.js';
import type { ProfileJourneyState, SendRecord } from '../../core/journeys/journey-write.js';
import type { RunState } from '../../core/journeys/run-state.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { ScheduleState } from '../../core/journeys/journey-write.js';
import type {
  DueJourneyTimer,
  DueProfileTimer,
  JourneyCounters,
  JourneyWebhookCall,
  StoredSchedule,
  WebhookCallOutcome,
  JourneyActivity,
  JourneyStore,
  PublishOutcome,
  RunQuery,
  StoredJourney,
} from '../journey-store.js';
import { SqliteJourneys } from './sqlite-journeys.js';

/**
 * The `JourneyStore` methods of the SQLite store, as a base class of `SqliteStore` (which adds the
 * journey write to `commitBatch` and the journey state to erasure). Each method is one statement or
 * one transaction; better-sqlite3 is synchronous, so a promise resolves after its commit.
 */
export abstract class SqliteJourneyStore implements JourneyStore {
  protected readonly journeys: SqliteJourneys;

  constructor(db: Database.Database) {
    this.journeys = new SqliteJourneys(db);
  }

  async saveJourneyDraft(id: string, draft: unknown, now: EpochMs): Promise<StoredJourney> {
    return this.journeys.saveDraft(id, draft, now);
  }

  async getJourney(id: string): Promise<StoredJourney | undefined> {
    return this.journeys.get(id);
  }

  async listJourneys(): Promise<readonly StoredJourney[]> {
    return this.journeys.list();
  }

  async deleteJourney(id: string): Promise<boolean> {
    return this.journeys.delete(id);
  }

  async publishJourney(
    journey: Journey,
    options: { migrate: boolean; now: EpochMs },
  ): Promise<PublishOutcome> {
    return this.journeys.publish(journey, options);
  }

  async getJourneyVersion(id: string, version: number): Promise<Journey | undefined> {
    return this.journeys.version(id, version);
  }

  async publishedJourneys(): Promise<{ latest: Journey[]; all: Journey[] }> {
    return this.journeys.published();
  }

  async journeysRevision(): Promise<number> {
    return this.journeys.revision();
  }

  async bumpJourneysRevision(): Promise<void> {
    this.journeys.bumpRevision();
  }

  async loadJourneyStates(
    ids: Iterable<ProfileId>,
    options: { now: EpochMs; sendsSince: EpochMs },
  ): Promise<Map<ProfileId, ProfileJourneyState>> {
    return this.journeys.runs.load(ids, options);
  }

  async journeySchedules(): Promise<StoredSchedule[]> {
    return this.journeys.runs.schedules.list();
  }

  async syncJourneySchedule(journeyId: string, version: number, state: ScheduleState): Promise<void> {
    this.journeys.runs.schedules.sync(journeyId, version, state);
  }

  async dueProfileTimers(now: EpochMs, limit: number): Promise<DueProfileTimer[]> {
    return this.journeys.runs.schedules.due(now, limit);
  }

  async journeyCounters(journeyId: string): Promise<JourneyCounters> {
    return this.journeys.runs.counters.read(journeyId);
  }

  async pruneJourneyInputs(endedBefore: EpochMs): Promise<number> {
    return this.journeys.runs.counters.pruneInputs(endedBefore);
  }

  async pendingJourneyWebhooks(now: EpochMs, limit: number): Promise<JourneyWebhookCall[]> {
    return this.journeys.runs.webhooks.pending(now, limit);
  }

  async settleJourneyWebhook(id: number, outcome: WebhookCallOutcome): Promise<void> {
    this.journeys.runs.webhooks.settle(id, outcome);
  }

  async dueJourneyTimers(now: EpochMs, limit: number): Promise<DueJourneyTimer[]> {
    return this.journeys.runs.due(now, limit);
  }

  async nextJourneyTimer(): Promise<EpochMs | undefined> {
    return this.journeys.runs.next();
  }

  async getRun(runId: string): Promise<RunState | undefined> {
    return this.journeys.runs.get(runId);
  }

  async listRuns(query: RunQuery): Promise<readonly RunState[]> {
    return this.journeys.runs.list(query);
  }

  async runInputs(runId: string): Promise<{ at: EpochMs; input: unknown }[]> {
    return this.journeys.runs.inputs(runId);
  }

  async refusalOf(runId: string): Promise<string | undefined> {
    return this.journeys.runs.refusal(runId);
  }

  async listSends(filter: {
    journeyId?: string;
    profileId?: ProfileId;
    limit: number;
  }): Promise<SendRecord[]> {
    return this.journeys.sends(filter);
  }

  async journeyActivity(journeyId: string): Promise<JourneyActivity> {
    return this.journeys.activity(journeyId);
  }

  async scanEventsBetween(
    from: EpochMs,
    to: EpochMs,
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): Promise<number> {
    return this.journeys.scanEventsBetween(from, to, onEvent);
  }
}
