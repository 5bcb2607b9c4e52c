import type { EpochMs, ProfileId } from '../brand.js';
import type { SourceChannel } from '../messages/inbound-message.js';
import { isTimeZone, normalizeEmail } from './traits.js';
import { isE164 } from './phone.js';
import { mergeAggregate, upgradeAggregates, type AggregateState } from '../segments/aggregates.js';
import { mergeComputed } from '../computed/computed-traits.js';

/** A device that can receive mobile push, captured from `context.device`. */
export interface PushToken {
  readonly token: string;
  readonly platform: 'ios' | 'android' | 'web' | 'unknown';
  readonly appId?: string;
  readonly updatedAt: EpochMs;
}

/** A group (account, company) the person belongs to, with the group's own traits. */
export interface GroupMembership {
  readonly traits: Readonly<Record<string, unknown>>;
  readonly updatedAt: EpochMs;
}

/**
 * The unified profile of one person. Traits keep the time each was last set (event time), so that
 * merges and late events resolve to the newest value per trait.
 */
export interface Profile {
  readonly id: ProfileId;
  readonly createdAt: EpochMs;
  readonly firstSeenAt: EpochMs;
  readonly lastSeenAt: EpochMs;
  readonly lastChannel: SourceChannel;
  /** The known ids (`userId`) of this person; more than one only after an explicit alias. */
  readonly userIds: readonly string[];
  readonly traits: Readonly<Record<string, unknown>>;
  readonly traitUpdatedAt: Readonly<Record<string, EpochMs>>;
  readonly pushTokens: readonly PushToken[];
  readonly groups: Readonly<Record<string, GroupMembership>>;
  readonly eventCount: number;
  /** Per-condition state of event conditions (see `segments/aggregates.ts`), by matcher key. */
  readonly aggregates?: Readonly<Record<string, AggregateState>>;
  /** Segment memberships: segment id → time entered (ms). */
  readonly segments?: Readonly<Record<string, number>>;
  /** Computed traits (orders, RFM, predicted value), kept current by the engine. */
  readonly computed?: Readonly<Record<string, unknown>>;
  /** Consent: `email`, `sms`, `push` or `channel:topic` → subscribed. Absent means the channel's default. */
  readonly subscriptions?: Readonly<Record<string, boolean>>;
}

/**
 * A profile from its stored JSON, upgraded from older forms where they differ (per-condition state,
 * see `upgradeAggregates`). Stores read every profile through here.
 */
export function parseProfile(json: string): Profile {
  const profile = JSON.parse(json) as Profile;
  if (profile.aggregates === undefined) return profile;
  const aggregates = upgradeAggregates(profile.aggregates);
  return aggregates === profile.aggregates ? profile : { ...profile, aggregates };
}

export function createProfile(id: ProfileId, at: EpochMs, channel: SourceChannel): Profile {
  return {
    id,
    createdAt: at,
    firstSeenAt: at,
    lastSeenAt: at,
    lastChannel: channel,
    userIds: [],
    traits: {},
    traitUpdatedAt: {},
    pushTokens: [],
    groups: {},
    eventCount: 0,
  };
}

/**
 * Sets traits as of `at`: a trait changes only if `at` is not older than the time it was last set,
 * so a late event never overwrites a newer value.
 */
export function setTraits(profile: Profile, traits: Readonly<Record<string, unknown>>, at: EpochMs): Profile {
  let next: Record<string, unknown> | undefined;
  let times: Record<string, EpochMs> | undefined;
  for (const [key, value] of Object.entries(traits)) {
    const previous = profile.traitUpdatedAt[key];
    if (previous !== undefined && previous > at) continue;
    next ??= { ...profile.traits };
    times ??= { ...profile.traitUpdatedAt };
    next[key] = value;
    times[key] = at;
  }
  return next && times ? { ...profile, traits: next, traitUpdatedAt: times } : profile;
}

/** Records that the person was active at `at` on `channel`. */
export function touch(profile: Profile, at: EpochMs, channel: SourceChannel): Profile {
  const isLatest = at >= profile.lastSeenAt;
  return {
    ...profile,
    firstSeenAt: Math.min(profile.firstSeenAt, at) as EpochMs,
    lastSeenAt: isLatest ? at : profile.lastSeenAt,
    lastChannel: isLatest ? channel : profile.lastChannel,
    eventCount: profile.eventCount + 1,
  };
}

/** Counts an event that is not the person's own activity (last seen and last channel unchanged). */
export const countEvent = (profile: Profile): Profile => ({ ...profile, eventCount: profile.eventCount + 1 });

export function upsertPushToken(profile: Profile, token: PushToken): Profile {
  const others = profile.pushTokens.filter((t) => t.token !== token.token);
  return { ...profile, pushTokens: [...others, token] };
}

export function removePushToken(profile: Profile, token: string): Profile {
  return { ...profile, pushTokens: profile.pushTokens.filter((t) => t.token !== token) };
}

export function setGroup(
  profile: Profile,
  groupId: string,
  traits: Readonly<Record<string, unknown>>,
  at: EpochMs,
): Profile {
  const current = profile.groups[groupId];
  if (current && current.updatedAt > at) return profile;
  const merged = { ...(current?.traits ?? {}), ...traits };
  return { ...profile, groups: { ...profile.groups, [groupId]: { traits: merged, updatedAt: at } } };
}

/**
 * Merges `loser` into `survivor`. Nothing is lost: each trait takes the newer of the two values,
 * seen times widen, tokens and groups are united, event counts add up, computed traits combine
 * (see `mergeComputed`).
 */
export function mergeProfiles(survivor: Profile, loser: Profile): Profile {
  const traits: Record<string, unknown> = { ...survivor.traits };
  const times: Record<string, EpochMs> = { ...survivor.traitUpdatedAt };
  for (const [key, value] of Object.entries(loser.traits)) {
    const theirs = loser.traitUpdatedAt[key] ?? (0 as EpochMs);
    const ours = times[key];
    if (ours === undefined || theirs > ours) {
      traits[key] = value;
      times[key] = theirs;
    }
  }
  let merged: Profile = {
    ...survivor,
    createdAt: Math.min(survivor.createdAt, loser.createdAt) as EpochMs,
    firstSeenAt: Math.min(survivor.firstSeenAt, loser.firstSeenAt) as EpochMs,
    lastSeenAt: Math.max(survivor.lastSeenAt, loser.lastSeenAt) as EpochMs,
    lastChannel: loser.lastSeenAt > survivor.lastSeenAt ? loser.lastChannel : survivor.lastChannel,
    userIds: [...new Set([...survivor.userIds, ...loser.userIds])],
    traits,
    traitUpdatedAt: times,
    eventCount: survivor.eventCount + loser.eventCount,
  };
  const aggregates: Record<string, AggregateState> = { ...survivor.aggregates };
  for (const [key, state] of Object.entries(loser.aggregates ?? {})) {
    const joined = mergeAggregate(aggregates[key], state);
    if (joined) aggregates[key] = joined;
  }
  if (Object.keys(aggregates).length > 0) merged = { ...merged, aggregates };
  const computed = mergeComputed(survivor.computed, loser.computed);
  if (computed) merged = { ...merged, computed };
  if (loser.subscriptions)
    merged = { ...merged, subscriptions: { ...loser.subscriptions, ...survivor.subscriptions } };
  for (const token of loser.pushTokens) merged = upsertPushToken(merged, token);
  for (const [groupId, g] of Object.entries(loser.groups))
    merged = setGroup(merged, groupId, g.traits, g.updatedAt);
  return merged;
}

/** Where the person can be reached, derived from traits and tokens. */
export interface ChannelAddresses {
  readonly email?: string;
  readonly phone?: string;
  readonly push: readonly PushToken[];
}

export function channelAddresses(profile: Pick<Profile, 'traits' | 'pushTokens'>): ChannelAddresses {
  const email = normalizeEmail(profile.traits.email);
  const phone =
    typeof profile.traits.phone === 'string' && isE164(profile.traits.phone)
      ? profile.traits.phone
      : undefined;
  return { ...(email ? { email } : {}), ...(phone ? { phone } : {}), push: profile.pushTokens };
}

/** The person's time zone (IANA), when a valid one is known. */
export function timeZoneOf(profile: Profile): string | undefined {
  const tz = profile.traits.timezone;
  return typeof tz === 'string' && isTimeZone(tz) ? tz : undefined;
}
