import type { EpochMs, ProfileId } from '../core/brand.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import type { IdentityKey, IdentityKind } from '../core/profiles/identity.js';
import type { Profile } from '../core/profiles/profile.js';
import type { BatchPlan, MergeReason } from '../core/profiles/resolve-batch.js';
import type { Condition, SegmentDefinition } from '../core/segments/definition.js';
import type { MembershipChange } from '../core/segments/memberships.js';
import type { JourneyStore, JourneyWrite } from './journey-store.js';
import type { MessageChannel } from '../core/channels/variants.js';

/** A batch plan plus what segment evaluation made of it: membership changes and re-evaluation timers. */
export interface BatchWrite extends BatchPlan {
  readonly memberships?: readonly MembershipChange[];
  /** Per profile, when its segments must next be re-evaluated (null: never). */
  readonly timers?: ReadonlyMap<ProfileId, number | null>;
  /** What the journey step decided; its guards make the commit fail with `JourneyConflictError` on a race. */
  readonly journeys?: JourneyWrite;
  /** Messages to send, written in the same transaction (duplicates of an idempotency key are ignored). */
  readonly outbox?: readonly PlannedSend[];
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

/** A membership change with its position in the log of all changes (ids only grow). */
export interface MembershipChangeRecord extends MembershipRecord {
  readonly id: number;
}

/** An input waiting in the inbox: a message, or an erasure request that must be applied in order. */
export type InboxEntry =
  | {
      readonly kind: 'message';
      readonly message: InboundMessage;
      /** `message` serialised, when the caller has it already (the inbox stores it as is). */
      readonly json?: string;
    }
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
export interface Store extends JourneyStore {
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
  /**
   * Evaluates every given segment at `now` in shared passes (a full recompute); ordered by their
   * references, a `segment` condition on one of them reads its fresh answer. Members by segment id.
   */
  querySegments(definitions: readonly SegmentDefinition[], now: EpochMs): Promise<Map<string, ProfileId[]>>;
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
  /** Entries and exits of every segment with an id above `after`, in commit order (a change feed). */
  membershipChanges(query: { after: number; limit: number }): Promise<MembershipChangeRecord[]>;
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

  /**
   * Forgets whatever the store keeps in memory of profiles, after someone else may have written them
   * (the engine's store calls it when a paused job on another connection resumes it).
   */
  invalidateCache?(): void;

  /**
   * Housekeeping the engine runs after each commit, once it has reported its progress: the embedded
   * store checkpoints its files here (at most every two seconds), off every waiter's path.
   */
  maintain?(): Promise<void>;

  close(): Promise<void>;
}

/** Marketing messages obey opt-outs; transactional ones only suppressions. */
export type SendCategory = 'marketing' | 'transactional';

/** How a planned send picks its channel: one channel, the first that works of a list, or `best`. */
export type ChannelChoice = MessageChannel | readonly MessageChannel[] | 'best';

/** A message planned by a journey step or the API, waiting in the outbox for the dispatcher. */
export interface PlannedSend {
  /** `run:node:channel`; the dispatcher never sends one key twice. */
  readonly idempotencyKey: string;
  readonly profileId: ProfileId;
  readonly channel: ChannelChoice;
  readonly templateId: string;
  readonly templateVersion: number;
  readonly category: SendCategory;
  /** Subscription topic checked at send time (`newsletter`), besides the channel itself. */
  readonly topic?: string;
  /** The trigger event and run context, for Liquid (`event`, `context`). */
  readonly context?: Readonly<Record<string, unknown>>;
  readonly plannedAt: EpochMs;
  /** Not sent before this time (quiet hours); defaults to `plannedAt`. */
  readonly notBefore?: EpochMs;
  /**
   * For a list or `best`: when the message accepted on one channel has no `delivered` (for email,
   * `opened` or `clicked`) outcome within this time, it is sent again on the next eligible channel.
   */
  readonly fallbackAfterMs?: number;
  /** The delivery this one is the timed fallback of (its `reason` says why). */
  readonly fallbackOf?: number;
  /** Why it was planned on its channel (a fallback's reason), kept as the delivery's `reason`. */
  readonly reason?: string;
}

/**
 * Where a delivery is: `pending` (due at `nextAttemptAt`), `sending` (marked durably before the
 * provider call), `sent` (the provider accepted it), `skipped` (consent, suppression, no address),
 * `dead` (dead-lettered: retries exhausted or a permanent failure; replayable), `unknown` (the send was
 * in doubt, interrupted by a crash or a lost answer, on a provider that does not drop repeats: it is
 * not resent by itself, so a key is never sent twice; replayable by an operator who checked).
 */
export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'skipped' | 'dead' | 'unknown';

/** One entry of a delivery's status history (`accepted`, `retry`, `delivered`, `bounced`, ...). */
export interface DeliveryEvent {
  readonly status: string;
  readonly at: EpochMs;
  readonly detail?: string;
}

/** A planned send and what became of it: the outbox row is the delivery record. */
export interface DeliveryRecord extends PlannedSend {
  readonly id: number;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: EpochMs;
  /** The channel actually used, its provider and why it was chosen. */
  readonly chosenChannel?: MessageChannel;
  readonly provider?: string;
  readonly reason?: string;
  readonly address?: string;
  readonly providerMessageId?: string;
  readonly error?: string;
  /** When the timed fallback is due, while it is. */
  readonly fallbackAt?: EpochMs;
  readonly updatedAt: EpochMs;
}

/** A change to a delivery, applied with a history entry in one transaction. */
export interface DeliveryUpdate {
  readonly status?: DeliveryStatus;
  readonly nextAttemptAt?: EpochMs;
  readonly chosenChannel?: MessageChannel;
  readonly provider?: string;
  readonly reason?: string;
  readonly address?: string;
  readonly providerMessageId?: string;
  readonly error?: string | null;
  /** When the timed fallback is due (set on acceptance); null once done or no longer needed. */
  readonly fallbackAt?: EpochMs | null;
  readonly event: DeliveryEvent;
}

/** The channel, provider and address a send goes out on, and why that channel. */
export interface SendingChoice {
  readonly chosenChannel: MessageChannel;
  readonly provider: string;
  readonly reason: string;
  readonly address: string;
}

/** The outbox and delivery log (the dispatcher's port). Implementation: `sqlite/sqlite-outbox.ts`. */
export interface OutboxStore {
  /** Plans sends outside an engine batch (the API); returns how many were new. */
  plan(sends: readonly PlannedSend[]): Promise<number>;
  /** Pending deliveries due at `now`, oldest first. */
  due(now: EpochMs, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Marks a pending delivery `sending` and counts the attempt, durably, before the provider call;
   * false when it was no longer pending.
   */
  markSending(id: number, at: EpochMs, choice: SendingChoice): Promise<boolean>;
  /** `markSending` for a batch, in one transaction; returns the ids that were still pending. */
  markSendingMany(
    items: readonly { readonly id: number; readonly choice: SendingChoice }[],
    at: EpochMs,
  ): Promise<Set<number>>;
  /** Moves a pending delivery's due time without an attempt or a history entry (a busy provider). */
  defer(id: number, until: EpochMs): Promise<void>;
  update(id: number, change: DeliveryUpdate): Promise<void>;
  /** Several updates in one transaction (the dispatcher's outcomes of a moment). */
  updateMany(changes: readonly { readonly id: number; readonly change: DeliveryUpdate }[]): Promise<void>;
  /**
   * After a crash: deliveries left `sending` on a provider in `idempotent` (one that drops a repeated
   * key) become due again, retried with the same key; the others become `unknown`. Returns how many
   * of each.
   */
  reconcile(
    now: EpochMs,
    idempotent: ReadonlySet<string>,
  ): Promise<{ readonly retried: number; readonly unknown: number }>;
  /** A dead or unknown delivery back to pending, attempts reset; false when it is neither. */
  replay(id: number, now: EpochMs): Promise<boolean>;
  get(id: number): Promise<DeliveryRecord | undefined>;
  getByKey(idempotencyKey: string): Promise<DeliveryRecord | undefined>;
  getByProviderMessageId(providerMessageId: string): Promise<DeliveryRecord | undefined>;
  history(id: number): Promise<DeliveryEvent[]>;
  list(filter: {
    profileId?: ProfileId;
    journeyId?: string;
    status?: DeliveryStatus;
    limit: number;
  }): Promise<DeliveryRecord[]>;
  /**
   * Sent deliveries whose timed fallback is due at `now` and that have no `delivered`, `opened` or
   * `clicked` outcome, oldest first.
   */
  fallbacksDue(now: EpochMs, limit: number): Promise<DeliveryRecord[]>;
  /**
   * Settles a delivery's timed fallback in one transaction: plans `send` (ignored when its key exists;
   * none when no channel is left), clears the fallback time and writes `event` in its history.
   * Returns whether a new delivery was planned.
   */
  planFallback(id: number, send: PlannedSend | undefined, event: DeliveryEvent): Promise<boolean>;
  /** Counts by status. */
  counts(): Promise<Record<string, number>>;
}

/** One saved version of a message template, with what `compileTemplate` made of it. */
export interface StoredTemplate {
  readonly id: string;
  readonly version: number;
  /** The template as saved (`MessageTemplate`). */
  readonly source: Readonly<Record<string, unknown>>;
  /** MJML compiled, ready for Liquid per recipient (`CompiledTemplate`). */
  readonly compiled: Readonly<Record<string, unknown>>;
  readonly warnings: readonly unknown[];
  readonly createdAt: EpochMs;
}

/** Templates, versioned: each save is a new version. */
export interface TemplateStore {
  /** Saves the next version; `build` gets the version number and returns what to store. */
  saveTemplate(
    id: string,
    now: EpochMs,
    build: (version: number) => Promise<Omit<StoredTemplate, 'id' | 'version' | 'createdAt'>>,
  ): Promise<StoredTemplate>;
  /** The latest version, or the given one. */
  getTemplate(id: string, version?: number): Promise<StoredTemplate | undefined>;
  /** Latest version of every template. */
  listTemplates(): Promise<StoredTemplate[]>;
  listVersions(id: string): Promise<{ version: number; createdAt: EpochMs }[]>;
}

/** Why an address is suppressed: a hard bounce, a spam complaint, or an operator. */
export type SuppressionReason = 'bounce' | 'complaint' | 'manual';

/** Consent given or withdrawn through Orkestra (preference page, unsubscribe, SMS keywords). */
export interface ConsentStore {
  /** Sets `channel` or `channel:topic` keys for a profile; the newest write wins. */
  setConsent(
    profileId: ProfileId,
    changes: Readonly<Record<string, boolean>>,
    at: EpochMs,
    source: string,
  ): Promise<void>;
  consentsOf(profileId: ProfileId): Promise<Record<string, boolean>>;
  /** `consentsOf` for many profiles at once (profiles without any are absent). */
  consentsOfMany(profileIds: readonly ProfileId[]): Promise<Map<ProfileId, Record<string, boolean>>>;
  /** Which of these `channel:address` keys are suppressed (addresses compared in lower case). */
  suppressedAmong(keys: readonly { channel: string; address: string }[]): Promise<Set<string>>;
  suppress(channel: string, address: string, reason: SuppressionReason, at: EpochMs): Promise<void>;
  unsuppress(channel: string, address: string): Promise<boolean>;
  suppression(
    channel: string,
    address: string,
  ): Promise<{ reason: SuppressionReason; at: EpochMs } | undefined>;
}

/** A provider's configuration; `secret` is the AES-256-GCM sealed JSON of its credentials. */
export interface StoredProvider {
  readonly name: string;
  readonly type: string;
  readonly channel: MessageChannel;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly secret: string;
  readonly updatedAt: EpochMs;
}

/** Provider configurations. */
export interface ProviderStore {
  putProvider(provider: StoredProvider): Promise<void>;
  getProvider(name: string): Promise<StoredProvider | undefined>;
  listProviders(): Promise<StoredProvider[]>;
  deleteProvider(name: string): Promise<boolean>;
}
