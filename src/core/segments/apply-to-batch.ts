import type { EpochMs, ProfileId } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import type { BatchPlan, ResolvedEvent } from '../profiles/resolve-batch.js';
import type { MembershipChange } from './memberships.js';
import { evaluateMemberships, foldEvents, membershipEvent, type ActiveSegments } from './segment-step.js';

/** A profile-state fold other modules contribute (computed traits), applied to each profile's new events. */
export type ProfileFold = (profile: Profile, events: readonly ResolvedEvent[]) => Profile;

export interface SegmentedBatch extends BatchPlan {
  readonly memberships: readonly MembershipChange[];
  readonly timers: ReadonlyMap<ProfileId, number | null>;
}

/**
 * The segment half of processing a batch, pure: folds each profile's new events into its per-condition
 * state and computed traits, re-evaluates every segment at `now`, and adds the membership changes,
 * their `Segment Entered` / `Segment Exited` events (signals for the journey stage: the changes are
 * stored once, as membership history) and the next re-evaluation time of each profile.
 * The same function re-evaluates profiles whose timer is due (a plan with no new events).
 */
export function applySegmentsToBatch(
  plan: BatchPlan,
  active: ActiveSegments,
  now: number,
  folds: readonly ProfileFold[] = [],
): SegmentedBatch {
  const eventsOf = new Map<ProfileId, ResolvedEvent[]>();
  for (const e of plan.events) {
    let list = eventsOf.get(e.profileId);
    if (!list) eventsOf.set(e.profileId, (list = []));
    list.push(e);
  }
  const names = new Map(active.definitions.map((d) => [d.id, d.name]));
  const profiles: Profile[] = [];
  const memberships: MembershipChange[] = [];
  const internal: ResolvedEvent[] = [];
  const timers = new Map<ProfileId, number | null>();
  for (const original of plan.profiles) {
    const events = eventsOf.get(original.id) ?? [];
    let profile = foldEvents(original, events, active.matchers, now);
    for (const fold of folds) profile = fold(profile, events);
    const outcome = evaluateMemberships(profile, active, now);
    profiles.push(outcome.profile);
    for (const change of outcome.changes) {
      memberships.push(change);
      const message = membershipEvent(
        change,
        names.get(change.segmentId) ?? change.segmentId,
        profile.userIds[0],
      );
      internal.push({ seq: 0, profileId: profile.id, message, timestamp: now as EpochMs, signal: true });
    }
    timers.set(profile.id, outcome.reevaluateAt ?? null);
  }
  return { ...plan, profiles, events: [...plan.events, ...internal], memberships, timers };
}
