import type { EpochMs, ProfileId } from '../brand.js';
import { channelOf, type InboundMessage } from '../messages/inbound-message.js';
import { isInternalMessage } from '../messages/internal-message.js';
import { deviceTokenOf, identityKey, phoneOf, userTraitsOf, type IdentityKey } from './identity.js';
import {
  createProfile,
  mergeProfiles,
  removePushToken,
  setGroup,
  setTraits,
  touch,
  countEvent,
  upsertPushToken,
  type Profile,
  type PushToken,
} from './profile.js';
import { normalizeEmail, normalizeTraits } from './traits.js';

export type MergeReason = 'identify' | 'alias' | 'email';

/** One profile folded into another. The loser's id keeps pointing at the survivor. */
export interface ProfileMerge {
  readonly from: ProfileId;
  readonly into: ProfileId;
  readonly reason: MergeReason;
  readonly messageId: string;
  readonly at: EpochMs;
}

export interface ResolvedEvent {
  readonly seq: number;
  readonly profileId: ProfileId;
  readonly message: InboundMessage;
  readonly timestamp: EpochMs;
  /** `message` as the inbox holds it, when the reader has it: the store keeps this text as is. */
  readonly json?: string | undefined;
  /**
   * An internal event the journey stage sees but the store does not keep as an event: `Segment
   * Entered` / `Segment Exited`, which the membership history already records (the timeline and the
   * journey simulator read them from there, so nothing is written twice).
   */
  readonly signal?: true;
}

/** Everything one batch changes, in the order the store must apply it (merges first). */
export interface BatchPlan {
  readonly merges: readonly ProfileMerge[];
  readonly identities: ReadonlyMap<IdentityKey, ProfileId>;
  readonly events: readonly ResolvedEvent[];
  readonly profiles: readonly Profile[];
}

export interface BatchInput {
  readonly seq: number;
  readonly message: InboundMessage;
  /** `message` serialised, passed through to its `ResolvedEvent`. */
  readonly json?: string | undefined;
}

export interface BatchState {
  /** Current owners of every identity the batch mentions (see `identityKeysOf`). */
  readonly identities: ReadonlyMap<IdentityKey, ProfileId>;
  /** Current state of every profile those identities point at. */
  readonly profiles: ReadonlyMap<ProfileId, Profile>;
}

export interface ResolveOptions {
  readonly newProfileId: () => ProfileId;
  /** Merge two profiles when one claims an email the other owns (Segment Unify's "email" identifier). */
  readonly mergeOnEmail: boolean;
}

/**
 * Resolves a batch of inbox messages, in order, to profiles: identity resolution, merges, traits,
 * seen times, channel addresses. Pure: the caller loads the state it names and writes the plan back.
 *
 * Rules (Segment Unify semantics): a call with both `userId` and `anonymousId` merges the anonymous
 * profile into the known one; `alias` merges `previousId` into `userId`; an email owned by another
 * profile merges the two when enabled. Two profiles with different `userId`s are never merged
 * implicitly (a shared device or a shared mailbox is not one person); only an explicit alias does that.
 * @example resolveBatch([{ seq: 1, message }], { identities: new Map(), profiles: new Map() }, opts)
 */
export function resolveBatch(
  inputs: readonly BatchInput[],
  state: BatchState,
  options: ResolveOptions,
): BatchPlan {
  return new BatchResolver(state, options).run(inputs);
}

class BatchResolver {
  private readonly owners: Map<IdentityKey, ProfileId>;
  private readonly keysOf = new Map<ProfileId, Set<IdentityKey>>();
  private readonly profiles: Map<ProfileId, Profile>;
  private readonly redirects = new Map<ProfileId, ProfileId>();
  private readonly changed = new Set<IdentityKey>();
  private readonly touched = new Set<ProfileId>();
  private readonly merges: ProfileMerge[] = [];
  private readonly events: ResolvedEvent[] = [];

  constructor(
    state: BatchState,
    private readonly options: ResolveOptions,
  ) {
    this.owners = new Map(state.identities);
    this.profiles = new Map(state.profiles);
    for (const [key, pid] of this.owners) this.index(key, pid);
  }

  run(inputs: readonly BatchInput[]): BatchPlan {
    for (const input of inputs) this.apply(input);
    const identities = new Map<IdentityKey, ProfileId>();
    for (const key of this.changed) identities.set(key, this.resolve(this.owners.get(key)!));
    return {
      merges: this.merges,
      identities,
      events: this.events.map((e) => ({ ...e, profileId: this.resolve(e.profileId) })),
      profiles: [...this.touched].filter((id) => this.profiles.has(id)).map((id) => this.profiles.get(id)!),
    };
  }

  private apply({ seq, message, json }: BatchInput): void {
    const at = Date.parse(message.timestamp) as EpochMs;
    const channel = channelOf(message.context);
    let pid = message.type === 'alias' ? this.applyAlias(message, at) : this.applyIds(message, at);
    const traits = normalizeTraits(userTraitsOf(message));
    let profile = setTraits(this.profile(pid), traits, at);
    if (message.type === 'group' && message.groupId !== undefined) {
      profile = setGroup(profile, message.groupId, message.traits ?? {}, at);
    }
    // Orkestra's own events (receipts, opens, consent) are not the person's activity on a channel.
    this.put(isInternalMessage(message) ? countEvent(profile) : touch(profile, at, channel));
    pid = this.claimEmail(pid, traits.email, message, at);
    this.claimPhone(pid, phoneOf(traits));
    this.claimDevice(pid, message, at);
    this.events.push({ seq, profileId: pid, message, timestamp: at, json });
  }

  private applyIds(message: InboundMessage, at: EpochMs): ProfileId {
    const { userId, anonymousId } = message;
    const known = userId === undefined ? undefined : this.lookup(identityKey('user_id', userId));
    const anon =
      anonymousId === undefined ? undefined : this.lookup(identityKey('anonymous_id', anonymousId));
    if (known && anon && known !== anon) {
      if (this.canMerge(anon, known)) this.merge(anon, known, 'identify', message, at);
      return known;
    }
    if (known) {
      if (anonymousId !== undefined && !anon) this.assign(identityKey('anonymous_id', anonymousId), known);
      return known;
    }
    if (anon) {
      if (userId === undefined) return anon;
      if (this.profile(anon).userIds.length === 0) {
        this.claimUserId(anon, userId);
        return anon;
      }
      const fresh = this.create(at, message);
      this.claimUserId(fresh, userId);
      return fresh;
    }
    const fresh = this.create(at, message);
    if (userId !== undefined) this.claimUserId(fresh, userId);
    if (anonymousId !== undefined) this.assign(identityKey('anonymous_id', anonymousId), fresh);
    return fresh;
  }

  private applyAlias(message: InboundMessage, at: EpochMs): ProfileId {
    const userId = message.userId!;
    const previousId = message.previousId!;
    const target = this.lookup(identityKey('user_id', userId));
    const previous =
      this.lookup(identityKey('user_id', previousId)) ?? this.lookup(identityKey('anonymous_id', previousId));
    if (target && previous && target !== previous) {
      this.merge(previous, target, 'alias', message, at);
      return target;
    }
    const pid = target ?? previous ?? this.create(at, message);
    if (!target) this.claimUserId(pid, userId);
    for (const key of [identityKey('anonymous_id', previousId), identityKey('user_id', previousId)]) {
      if (!this.lookup(key)) this.assign(key, pid);
    }
    return pid;
  }

  private claimEmail(pid: ProfileId, raw: unknown, message: InboundMessage, at: EpochMs): ProfileId {
    const email = normalizeEmail(raw);
    if (!email) return pid;
    const key = identityKey('email', email);
    const owner = this.lookup(key);
    if (!owner) {
      this.assign(key, pid);
      return pid;
    }
    if (owner === pid || !this.options.mergeOnEmail || !this.canMerge(owner, pid)) return pid;
    const [survivor, loser] = this.choose(pid, owner);
    this.merge(loser, survivor, 'email', message, at);
    return survivor;
  }

  private claimPhone(pid: ProfileId, phone: string | undefined): void {
    if (phone === undefined) return;
    const key = identityKey('phone', phone);
    if (!this.lookup(key)) this.assign(key, pid);
  }

  /** A device token belongs to whoever used the device last: it moves rather than merging people. */
  private claimDevice(pid: ProfileId, message: InboundMessage, at: EpochMs): void {
    const device = deviceTokenOf(message);
    if (!device) return;
    const key = identityKey('device_token', device.token);
    const owner = this.lookup(key);
    if (owner && owner !== pid) this.put(removePushToken(this.profile(owner), device.token));
    if (owner !== pid) this.assign(key, pid);
    const platform: PushToken['platform'] =
      device.type === 'ios' || device.type === 'android' || device.type === 'web' ? device.type : 'unknown';
    const token: PushToken = {
      token: device.token,
      platform,
      updatedAt: at,
      ...(device.appId ? { appId: device.appId } : {}),
    };
    this.put(upsertPushToken(this.profile(pid), token));
  }

  /** Implicit merges never join two different known people. */
  private canMerge(a: ProfileId, b: ProfileId): boolean {
    const ua = this.profile(a).userIds;
    const ub = this.profile(b).userIds;
    return ua.length === 0 || ub.length === 0 || ua.some((u) => ub.includes(u));
  }

  /** The known profile survives; between equals, the older one. */
  private choose(a: ProfileId, b: ProfileId): [ProfileId, ProfileId] {
    const pa = this.profile(a);
    const pb = this.profile(b);
    if (pa.userIds.length > 0 && pb.userIds.length === 0) return [a, b];
    if (pb.userIds.length > 0 && pa.userIds.length === 0) return [b, a];
    return pb.createdAt < pa.createdAt ? [b, a] : [a, b];
  }

  private merge(
    loser: ProfileId,
    survivor: ProfileId,
    reason: MergeReason,
    message: InboundMessage,
    at: EpochMs,
  ): void {
    this.put(mergeProfiles(this.profile(survivor), this.profile(loser)));
    this.profiles.delete(loser);
    this.redirects.set(loser, survivor);
    for (const key of this.keysOf.get(loser) ?? []) this.assign(key, survivor);
    this.keysOf.delete(loser);
    this.merges.push({ from: loser, into: survivor, reason, messageId: message.messageId, at });
  }

  private claimUserId(pid: ProfileId, userId: string): void {
    this.assign(identityKey('user_id', userId), pid);
    const profile = this.profile(pid);
    if (!profile.userIds.includes(userId)) this.put({ ...profile, userIds: [...profile.userIds, userId] });
  }

  private create(at: EpochMs, message: InboundMessage): ProfileId {
    const id = this.options.newProfileId();
    this.put(createProfile(id, at, channelOf(message.context)));
    return id;
  }

  private lookup(key: IdentityKey): ProfileId | undefined {
    const pid = this.owners.get(key);
    return pid === undefined ? undefined : this.resolve(pid);
  }

  private assign(key: IdentityKey, pid: ProfileId): void {
    const previous = this.owners.get(key);
    if (previous !== undefined) this.keysOf.get(previous)?.delete(key);
    this.owners.set(key, pid);
    this.index(key, pid);
    this.changed.add(key);
  }

  private index(key: IdentityKey, pid: ProfileId): void {
    let keys = this.keysOf.get(pid);
    if (!keys) this.keysOf.set(pid, (keys = new Set()));
    keys.add(key);
  }

  private resolve(pid: ProfileId): ProfileId {
    let id = pid;
    for (let next = this.redirects.get(id); next !== undefined; next = this.redirects.get(id)) id = next;
    return id;
  }

  private profile(pid: ProfileId): Profile {
    const profile = this.profiles.get(this.resolve(pid));
    if (!profile) throw new Error(`profile ${pid} was not loaded for this batch`);
    return profile;
  }

  private put(profile: Profile): void {
    this.profiles.set(profile.id, profile);
    this.touched.add(profile.id);
  }
}
