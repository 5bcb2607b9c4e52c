import type { Profile } from '../profiles/profile.js';
import type { ResolvedEvent } from '../profiles/resolve-batch.js';
import {
  ENGAGEMENT_ACTIONS,
  ENGAGEMENT_PREFIXES,
  addEngagement,
  engagementChannelOf,
  lastEngagement,
  mergeEngagement,
  readEngagement,
  type Engagement,
} from './engagement.js';
import { ORDER_COMPLETED, readOrder } from './order.js';
import { addOrder, mergeOrderTraits, readOrderTraits, type OrderTraits } from './order-traits.js';

/**
 * The computed traits kept current as events are processed: orders (see `order-traits.ts`) and
 * engagement per channel (see `engagement.ts`), all in `profile.computed`. Scores written by jobs
 * (RFM, predicted value) live there too and are left alone here.
 */
export type Computed = Readonly<Record<string, unknown>>;

function writeOrders(computed: Computed, orders: OrderTraits | undefined): Computed {
  if (!orders) return computed;
  const { favoriteCategory: _old, ...rest } = computed;
  return { ...rest, ...orders };
}

function writeEngagement(computed: Computed, engagement: Engagement): Computed {
  const last = lastEngagement(engagement);
  if (!last) return computed;
  return { ...computed, engagement, lastEngagedChannel: last.channel, lastEngagedAt: last.at };
}

/**
 * Folds a profile's new events into its computed traits: a `ProfileFold` (see
 * `segments/apply-to-batch.ts`) the engine applies to every batch, before segments are evaluated.
 * Order and engagement events may arrive in any order; the result does not depend on it.
 * @example foldComputedTraits(profile, [{ seq: 1, profileId, message: orderCompleted, timestamp }])
 */
export function foldComputedTraits(profile: Profile, events: readonly ResolvedEvent[]): Profile {
  const computed = foldInto(profile.computed, events);
  return computed === profile.computed ? profile : { ...profile, computed };
}

/** `events` folded into a computed map (the same map when none of them is an order or engagement). */
function foldInto(before: Computed | undefined, events: readonly ResolvedEvent[]): Computed | undefined {
  let orders: OrderTraits | undefined;
  let engagement: Engagement | undefined;
  for (const e of events) {
    if (e.message.type !== 'track') continue;
    if (e.message.event === ORDER_COMPLETED) {
      orders = addOrder(orders ?? readOrderTraits(before), readOrder(e.message.properties), e.timestamp);
      continue;
    }
    const channel = engagementChannelOf(e.message.event);
    if (channel === undefined) continue;
    engagement = addEngagement(engagement ?? readEngagement(before?.engagement), channel, {
      name: e.message.event!,
      at: e.timestamp,
    });
  }
  if (!orders && !engagement) return before;
  let computed: Computed = before ?? {};
  computed = writeOrders(computed, orders);
  if (engagement) computed = writeEngagement(computed, engagement);
  return computed;
}

/**
 * The computed traits of two profiles becoming one person (see `mergeProfiles`): orders and
 * engagement combine (sums, earliest first, latest last); job scores (RFM, predicted value) are the
 * survivor's where it has them, until the next run recomputes them for the whole person.
 */
export function mergeComputed(
  survivor: Computed | undefined,
  loser: Computed | undefined,
): Computed | undefined {
  if (!survivor || !loser) return survivor ?? loser;
  let merged: Computed = { ...loser, ...survivor };
  merged = writeOrders(merged, mergeOrderTraits(readOrderTraits(survivor), readOrderTraits(loser)));
  const engagement = mergeEngagement(readEngagement(survivor.engagement), readEngagement(loser.engagement));
  return writeEngagement(merged, engagement);
}

/** The keys `foldComputedTraits` writes into `profile.computed` (the others are job scores). */
export const FOLDED_KEYS: readonly string[] = [
  'ordersCount',
  'revenue',
  'averageOrderValue',
  'firstOrderAt',
  'lastOrderAt',
  'currency',
  'categoryCounts',
  'favoriteCategory',
  'engagement',
  'lastEngagedChannel',
  'lastEngagedAt',
];

/** The names of every event `foldComputedTraits` reads: orders, and each channel's engagement. */
export const FOLDED_EVENT_NAMES: readonly string[] = [
  ORDER_COMPLETED,
  ...ENGAGEMENT_PREFIXES.flatMap(([prefix]) =>
    [...ENGAGEMENT_ACTIONS].map((action) => `${prefix} ${action}`),
  ),
];

/**
 * JSON with keys sorted and numbers to 1/10,000, so that two values compare equal whatever order
 * their keys were written in and whatever order sums were added in (float dust, see `round6`).
 */
function canonical(value: unknown): string {
  if (typeof value === 'number') return String(Math.round(value * 1e4) / 1e4);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The event-derived computed traits of a whole history (every order and engagement event of one
 * person, in any order), from nothing: what `withFoldedTraits` puts back into a profile.
 */
export function foldedFromHistory(history: readonly ResolvedEvent[]): Computed | undefined {
  return foldInto(undefined, history);
}

/**
 * A profile with its event-derived computed traits replaced by `folded` (see `foldedFromHistory`):
 * what `foldComputedTraits` wrote is dropped, job scores are kept. Returns the same profile object
 * when nothing differs, so a rebuild writes only the profiles it corrects: those from before a
 * computed trait existed or was fixed, or whose history was imported without being folded.
 */
export function withFoldedTraits(profile: Profile, folded: Computed | undefined): Profile {
  const next: Record<string, unknown> = { ...profile.computed };
  for (const key of FOLDED_KEYS) delete next[key];
  Object.assign(next, folded);
  if (canonical(next) === canonical(profile.computed ?? {})) return profile;
  const { computed: _old, ...rest } = profile;
  return Object.keys(next).length > 0 ? { ...rest, computed: next } : rest;
}

/**
 * A profile's computed traits rebuilt from its whole history: `withFoldedTraits` of
 * `foldedFromHistory`. The same profile object when nothing differs.
 * @example rebuildComputedTraits(profile, ordersAndEngagementOf(profile.id))
 */
export function rebuildComputedTraits(profile: Profile, history: readonly ResolvedEvent[]): Profile {
  return withFoldedTraits(profile, foldedFromHistory(history));
}
