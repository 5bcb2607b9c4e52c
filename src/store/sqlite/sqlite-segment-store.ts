import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { Condition, SegmentDefinition } from '../../core/segments/definition.js';
import type { MembershipChangeRecord, MembershipRecord, Page, StoredSegment } from '../store.js';
import { SqliteJourneyStore } from './sqlite-journey-store.js';
import { SqliteSegments } from './sqlite-segments.js';

/**
 * The segment methods of the SQLite store (definitions, memberships and their history, timers,
 * recompute queries), as a base class of `SqliteStore`, which adds the membership writes to
 * `commitBatch` and to erasure. Each method is one statement or one transaction.
 */
export abstract class SqliteSegmentStore extends SqliteJourneyStore {
  protected readonly segments: SqliteSegments;

  constructor(db: Database.Database) {
    super(db);
    this.segments = new SqliteSegments(db);
  }

  async saveSegment(definition: SegmentDefinition, now: EpochMs): Promise<StoredSegment> {
    return this.segments.save(definition, now);
  }

  async getSegment(id: string): Promise<StoredSegment | undefined> {
    return this.segments.get(id);
  }

  async listSegments(): Promise<readonly StoredSegment[]> {
    return this.segments.list();
  }

  async deleteSegment(id: string): Promise<boolean> {
    return this.segments.delete(id);
  }

  async querySegment(condition: Condition, now: EpochMs): Promise<ProfileId[]> {
    return this.segments.query(condition, now);
  }

  async querySegments(
    definitions: readonly SegmentDefinition[],
    now: EpochMs,
  ): Promise<Map<string, ProfileId[]>> {
    return this.segments.queryAll(definitions, now);
  }

  async listMembers(segmentId: string, query: { limit: number; cursor?: string }): Promise<Page<ProfileId>> {
    return this.segments.members(segmentId, query);
  }

  async memberIds(segmentId: string): Promise<ProfileId[]> {
    return this.segments.memberIds(segmentId);
  }

  async membershipHistory(filter: {
    profileId?: ProfileId;
    segmentId?: string;
    limit: number;
  }): Promise<MembershipRecord[]> {
    return this.segments.history(filter);
  }

  async membershipChanges(query: { after: number; limit: number }): Promise<MembershipChangeRecord[]> {
    return this.segments.changes(query.after, query.limit);
  }

  async segmentSizeHistory(
    segmentId: string,
  ): Promise<{ day: string; entered: number; exited: number; size: number }[]> {
    return this.segments.sizeHistory(segmentId);
  }

  async dueTimers(now: EpochMs, limit: number): Promise<{ profileId: ProfileId; dueAt: EpochMs }[]> {
    return this.segments.due(now, limit);
  }

  async nextTimer(): Promise<EpochMs | undefined> {
    return this.segments.next();
  }

  async profileIdsAfter(cursor: string, limit: number): Promise<ProfileId[]> {
    return this.segments.profileIdsAfter(cursor, limit);
  }

  async scanEvents(
    names: readonly string[],
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): Promise<number> {
    return this.segments.scanEvents(names, onEvent);
  }
}
