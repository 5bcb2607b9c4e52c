import type { EpochMs, ProfileId } from '../core/brand.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import type { IdentityKey, IdentityKind } from '../core/profiles/identity.js';
import type { Profile } from '../core/profiles/profile.js';
import type { BatchPlan, MergeReason } from '../core/profiles/resolve-batch.js';
import type { Condition, SegmentDefinition } from '../core/segments/definition.js';
import type { MembershipChange } from '../core/segments/memberships.js';

/** A batch plan plus what segment evaluation made of it: membership changes and re-evaluation timers. */
export interface BatchWrite extends BatchPlan {
  readonly memberships?: readonly MembershipChange[];
  /** Per profile, when its segments must next be re-evaluated (null: never). */
  readonly timers?: ReadonlyMap<ProfileId, number | null>;
}

export interface StoredSegment {
  readonly definition: SegmentDefinition;
  readonly version: number;
  readonly createdAt: EpochMs;
  readonly updatedAt: EpochMs;
}

export interface MembershipRecord {
  readonly segmentId: string;
  readonly profileId: ProfileId;
  readonly entered: boolean;
  readonly at: EpochMs;
}

/** An input waiting in the inbox: a message, or an erasure request that must be applied in order. */
export type InboxEntry =
  | { readonly kind: 'message'; readonly message: InboundMessage }
  | { readonly kind: 'erase'; readonly profileId: ProfileId };

export type InboxRow = InboxEntry & { readonly seq: number };

export interface AppendResult {
  /** Messages stored now. */
  readonly accepted: number;
  /** Messages whose `messageId` was seen within the dedupe window: answered as accepted, not stored again. */
  readonly duplicates: number;
  /** Highest inbox sequence number written (0 when nothing was). */
  readonly lastSeq: number;
}

export interface StoredEvent {
  readonly seq: number;
  readonly profileId: ProfileId;
  readonly message: InboundMessage;
}

export interface Identity {
  readonly kind: IdentityKind;
  readonly value: string;
}

export interface MergeRecord {
  readonly from: ProfileId;
  readonly into: ProfileId;
  readonly reason: MergeReason;
  readonly messageId: string;
  readonly at: EpochMs;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Pass back to get the next page; absent on the last page. */
  readonly nextCursor?: string;
}

/** A profile read for the API, with its merge history and identities. */
export interface ProfileRecord {
  readonly profile: Profile;
  readonly identities: readonly Identity[];
  readonly merges: readonly MergeRecord[];
}

/** What an erasure removed. */
export interface ErasureResult {
  readonly profiles: number;
  readonly events: number;
  readonly identities: number;
}

/**
 * The storage port. Every method is atomic. Implementations: `sqlite/` (embedded, default) and, later,
 * `postgres/`; `store-contract.ts` is the one test suite they must all pass.
 */
export interface Store {
  /**
   * Appends entries to the inbox in one transaction, skipping messages whose `messageId` was seen
   * after `dedupeSince`. Resolves only once the transaction is durable.
   */
  appendToInbox(
    entries: readonly InboxEntry[],
    options: { now: EpochMs; dedupeSince: EpochMs },
  ): Promise<AppendResult>;
  /** The oldest entries still in the inbox, in order. */
  readInbox(limit: number): Promise<readonly InboxRow[]>;
  /** Current owners of these identities. */
  findOwners(keys: Iterable<IdentityKey>): Promise<Map<IdentityKey, ProfileId>>;
  /** Current states of these profiles (merged-away ids are absent). */
  loadProfiles(ids: Iterable<ProfileId>): Promise<Map<ProfileId, Profile>>;
  /** Writes a resolved batch and removes inbox entries up to `consumedSeq` (if given), in one transaction. */
  commitBatch(write: BatchWrite, consumedSeq?: number): Promise<void>;
  /** Deletes everything held about a profile (and profiles merged into it), and consumes the inbox entry. */
  eraseProfile(id: ProfileId, consumedSeq: number): Promise<ErasureResult>;
  /** Forgets dedupe keys older than `before`. */
  pruneDedupe(before: EpochMs): Promise<number>;
  /** Number of entries waiting in the inbox. */
  inboxDepth(): Promise<number>;

  /** The surviving profile for an id (following merges), or undefined. */
  getProfile(id: ProfileId): Promise<ProfileRecord | undefined>;
  /** Profiles by id, identity value or trait value. */
  searchProfiles(query: { q?: string; limit: number; cursor?: string }): Promise<Page<Profile>>;
  /** A profile's events, newest first. */
  listEvents(id: ProfileId, query: { limit: number; cursor?: string }): Promise<Page<StoredEvent>>;
  countEvents(): Promise<number>;
  countProfiles(): Promise<number>;

  /** Saves a segment definition as a new version (1 when new). */
  saveSegment(definition: SegmentDefinition, now: EpochMs): Promise<StoredSegment>;
  getSegment(id: string): Promise<StoredSegment | undefined>;
  listSegments(): Promise<readonly StoredSegment[]>;
  /** Deletes a segment and its memberships (its history of changes is kept). */
  deleteSegment(id: string): Promise<boolean>;
  /** Evaluates a condition over the whole population, in the database, at `now`. */
  querySegment(condition: Condition, now: EpochMs): Promise<ProfileId[]>;
  /** Current members, in profile id order. */
  listMembers(segmentId: string, query: { limit: number; cursor?: string }): Promise<Page<ProfileId>>;
  /** All current member ids of a segment. */
  memberIds(segmentId: string): Promise<ProfileId[]>;
  /** Entries and exits, oldest first, of a profile (all segments) or of a segment (all profiles). */
  membershipHistory(filter: {
    profileId?: ProfileId;
    segmentId?: string;
    limit: number;
  }): Promise<MembershipRecord[]>;
  /** Daily entries and exits of a segment and its size at the end of each day (UTC). */
  segmentSizeHistory(
    segmentId: string,
  ): Promise<{ day: string; entered: number; exited: number; size: number }[]>;
  /** Profiles whose timers are due at `now`. */
  dueTimers(now: EpochMs, limit: number): Promise<{ profileId: ProfileId; dueAt: EpochMs }[]>;
  /** The earliest pending timer, if any. */
  nextTimer(): Promise<EpochMs | undefined>;
  /** Profile ids in id order, for jobs that walk the population. */
  profileIdsAfter(cursor: string, limit: number): Promise<ProfileId[]>;
  /** Track events with these names, for jobs that rebuild state; ordered by profile, then time. */
  scanEvents(
    names: readonly string[],
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): Promise<number>;

  /** Small settings (keys, versions). */
  getSetting(key: string): Promise<string | undefined>;
  setSetting(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}
