import type { InboundMessage } from '../messages/inbound-message.js';
import { internalTrack } from '../messages/internal-message.js';
import type { Profile } from '../profiles/profile.js';
import { err, ok, type Result } from '../result.js';
import { addEvent, eventMatches, matchersOf, type AggregateState, type Matcher } from './aggregates.js';
import type { Condition, SegmentDefinition } from './definition.js';
import { evaluateCondition } from './evaluate.js';
import type { MembershipChange } from './memberships.js';

/** The segments in force, ordered so that a segment comes after those it refers to, and their matchers. */
export interface ActiveSegments {
  readonly definitions: readonly SegmentDefinition[];
  readonly matchers: readonly Matcher[];
}

function referencedSegments(c: Condition, into: Set<string> = new Set()): Set<string> {
  if (c.type === 'and' || c.type === 'or') for (const x of c.conditions) referencedSegments(x, into);
  else if (c.type === 'not') referencedSegments(c.condition, into);
  else if (c.type === 'segment') into.add(c.segmentId);
  return into;
}

/**
 * Orders definitions by their references to one another; refuses unknown references and cycles,
 * naming them.
 */
export function prepareSegments(definitions: readonly SegmentDefinition[]): Result<ActiveSegments, string> {
  const byId = new Map(definitions.map((d) => [d.id, d]));
  const ordered: SegmentDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (d: SegmentDefinition, path: string[]): string | undefined => {
    if (state.get(d.id) === 'done') return undefined;
    if (state.get(d.id) === 'visiting')
      return `segments refer to each other in a cycle: ${[...path, d.id].join(' → ')}`;
    state.set(d.id, 'visiting');
    for (const ref of referencedSegments(d.condition)) {
      const target = byId.get(ref);
      if (!target) return `segment ${d.id} refers to unknown segment ${ref}`;
      const problem = visit(target, [...path, d.id]);
      if (problem) return problem;
    }
    state.set(d.id, 'done');
    ordered.push(d);
    return undefined;
  };
  for (const d of definitions) {
    const problem = visit(d, []);
    if (problem) return err(problem);
  }
  const matchers = new Map<string, Matcher>();
  for (const d of ordered) matchersOf(d.condition, matchers);
  return ok({ definitions: ordered, matchers: [...matchers.values()] });
}

/**
 * Folds new events into a profile's per-condition state. State for matchers no longer in force is
 * dropped, so a profile carries only what the current segments need.
 */
export function foldEvents(
  profile: Profile,
  events: readonly { message: InboundMessage; timestamp: number }[],
  matchers: readonly Matcher[],
  now: number,
): Profile {
  if (matchers.length === 0 && profile.aggregates === undefined) return profile;
  const next: Record<string, AggregateState> = {};
  for (const m of matchers) {
    let state = profile.aggregates?.[m.key];
    for (const e of events) if (eventMatches(m, e.message, e.timestamp)) state = addEvent(state, m, e, now);
    if (state !== undefined) next[m.key] = state;
  }
  return { ...profile, aggregates: next };
}

export interface MembershipOutcome {
  readonly profile: Profile;
  readonly changes: readonly MembershipChange[];
  /** The earliest moment time alone may change a membership, if any. */
  readonly reevaluateAt?: number;
}

function isActive(active: ActiveSegments, id: string): boolean {
  for (const d of active.definitions) if (d.id === id) return true;
  return false;
}

/** Evaluates every segment for one profile at `now` and records entries and exits. */
export function evaluateMemberships(
  profile: Profile,
  active: ActiveSegments,
  now: number,
): MembershipOutcome {
  const current: Record<string, number> = { ...(profile.segments ?? {}) };
  const changes: MembershipChange[] = [];
  let reevaluateAt: number | undefined;
  for (const id of Object.keys(current)) if (!isActive(active, id)) delete current[id];
  // One context for every definition (the engine evaluates them all for each profile of a batch).
  const context = { now, isMember: (id: string) => current[id] !== undefined };
  for (const d of active.definitions) {
    const r = evaluateCondition(d.condition, profile, context);
    if (r.changesAt !== undefined && r.changesAt > now) {
      reevaluateAt = reevaluateAt === undefined ? r.changesAt : Math.min(reevaluateAt, r.changesAt);
    }
    const was = current[d.id] !== undefined;
    if (r.value === was) continue;
    if (r.value) current[d.id] = now;
    else delete current[d.id];
    changes.push({ segmentId: d.id, profileId: profile.id, entered: r.value, at: now });
  }
  const outcome = { profile: { ...profile, segments: current }, changes };
  return reevaluateAt === undefined ? outcome : { ...outcome, reevaluateAt };
}

/**
 * The internal event for a membership change, named as journeys expect (`Segment Entered` /
 * `Segment Exited`). Its messageId is derived from the change, so replaying a change never doubles it.
 */
export function membershipEvent(
  change: MembershipChange,
  segmentName: string,
  userId?: string,
): InboundMessage {
  return internalTrack({
    event: change.entered ? 'Segment Entered' : 'Segment Exited',
    messageId: `seg:${change.segmentId}:${change.profileId}:${change.at}:${change.entered ? 'in' : 'out'}`,
    person: { userId },
    properties: { segment_id: change.segmentId, segment_name: segmentName },
    at: change.at,
  });
}
