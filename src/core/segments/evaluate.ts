import { hashString } from '../random.js';
import { channelAddresses, type Profile } from '../profiles/profile.js';
import { eventTest, type Comparison, type Condition } from './definition.js';
import { matcherOf, viewAggregate, type AggregateView } from './aggregates.js';
import { compareValue, daysSince, readPath, type Outcome } from './values.js';

const DAY = 86_400_000;

export interface EvaluationContext {
  readonly now: number;
  /** Membership of other segments, for `segment` conditions. */
  readonly isMember: (segmentId: string) => boolean;
}

/** A profile's stable bucket 0–99 for a salt: the same person always lands in the same bucket. */
export const bucketOf = (profileId: string, salt: string): number => hashString(`${profileId}:${salt}`) % 100;

/** The part of a profile reachability depends on (SQL extracts only this much of the state). */
export type ReachabilityInput = Pick<Profile, 'traits' | 'pushTokens' | 'subscriptions'>;

/**
 * Whether the person can be reached on a channel (has the address or token, and has not opted out of
 * the channel or the topic). Registered for SQL as `ork_reachable`.
 */
export function isReachable(
  profile: ReachabilityInput,
  channel: 'email' | 'sms' | 'push',
  topic?: string,
): boolean {
  const subs = profile.subscriptions ?? {};
  if (subs[channel] === false) return false;
  if (topic !== undefined && subs[`${channel}:${topic}`] === false) return false;
  const addresses = channelAddresses(profile);
  if (channel === 'email') return addresses.email !== undefined;
  if (channel === 'sms') return addresses.phone !== undefined;
  return addresses.push.length > 0;
}

/**
 * The value of a computed trait at `now`: `lastChannel` lives on the profile itself and
 * `daysSinceLastOrder` is derived from `lastOrderAt` (see `daysSince`), so it is never stale.
 */
export function computedValue(profile: Profile, name: string, now: number): unknown {
  if (name === 'lastChannel') return profile.lastChannel;
  if (name === 'daysSinceLastOrder') return daysSince(profile.computed?.lastOrderAt, now);
  return profile.computed?.[name];
}

/** A comparison on `daysSinceLastOrder` may change when the next whole day since the last order begins. */
function daysSinceOutcome(
  profile: Profile,
  condition: Extract<Condition, { type: 'computed' }>,
  now: number,
): Outcome {
  const last = profile.computed?.lastOrderAt;
  const days = daysSince(last, now);
  const r = compareValue(days, condition, now);
  if (days === undefined) return r;
  return { value: r.value, changesAt: earliest(r.changesAt, (last as number) + (days + 1) * DAY)! };
}

function compareNumber(x: number | undefined, c: Comparison): boolean {
  if (x === undefined) return false;
  switch (c.op) {
    case 'gte':
      return x >= c.value;
    case 'gt':
      return x > c.value;
    case 'lte':
      return x <= c.value;
    case 'lt':
      return x < c.value;
    case 'eq':
      return x === c.value;
  }
}

function measured(view: AggregateView, c: Extract<Condition, { type: 'event' }>): number | undefined {
  const { measure } = eventTest(c);
  if (measure.of === 'count') return view.count;
  if (measure.of === 'sum') return view.sum;
  return view.numeric === 0 ? undefined : view.sum / view.numeric;
}

const earliest = (a: number | undefined, b: number | undefined): number | undefined =>
  a === undefined ? b : b === undefined ? a : Math.min(a, b);

/**
 * Evaluates a condition for one profile at `ctx.now`, from the profile's incremental state only.
 * Returns the answer and, when time alone can change it, the earliest moment it may (so the engine can
 * re-evaluate exactly then).
 * @example evaluateCondition({ type: 'trait', trait: 'country', op: 'equals', value: 'TR' }, profile, ctx)
 */
export function evaluateCondition(condition: Condition, profile: Profile, ctx: EvaluationContext): Outcome {
  switch (condition.type) {
    case 'and':
    case 'or': {
      const want = condition.type === 'or';
      let changesAt: number | undefined;
      let value = !want;
      for (const c of condition.conditions) {
        const r = evaluateCondition(c, profile, ctx);
        changesAt = earliest(changesAt, r.changesAt);
        if (r.value === want) value = want;
      }
      return changesAt === undefined ? { value } : { value, changesAt };
    }
    case 'not': {
      const r = evaluateCondition(condition.condition, profile, ctx);
      return r.changesAt === undefined ? { value: !r.value } : { value: !r.value, changesAt: r.changesAt };
    }
    case 'trait':
      return compareValue(readPath(profile.traits, condition.trait), condition, ctx.now);
    case 'computed':
      if (condition.trait === 'daysSinceLastOrder') return daysSinceOutcome(profile, condition, ctx.now);
      return compareValue(computedValue(profile, condition.trait, ctx.now), condition, ctx.now);
    case 'event': {
      const m = matcherOf(condition);
      const view = viewAggregate(profile.aggregates?.[m.key], m, ctx.now);
      const value = compareNumber(measured(view, condition), eventTest(condition).compare);
      return view.nextExpiry === undefined ? { value } : { value, changesAt: view.nextExpiry };
    }
    case 'event_time': {
      const m = matcherOf(condition);
      const view = viewAggregate(profile.aggregates?.[m.key], m, ctx.now);
      const at = condition.which === 'first' ? view.first : view.last;
      const within = at !== undefined && at >= ctx.now - condition.days * DAY;
      const changesAt = within ? at + condition.days * DAY + 1 : undefined;
      const value = condition.op === 'within_last_days' ? within : !within;
      return changesAt === undefined ? { value } : { value, changesAt };
    }
    case 'segment':
      return { value: ctx.isMember(condition.segmentId) === condition.member };
    case 'random_bucket': {
      const b = bucketOf(profile.id, condition.salt);
      return { value: b >= condition.from && b < condition.to };
    }
    case 'reachable':
      return { value: isReachable(profile, condition.channel, condition.topic) };
  }
}
