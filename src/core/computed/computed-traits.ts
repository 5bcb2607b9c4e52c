import type { Profile } from '../profiles/profile.js';
import type { ResolvedEvent } from '../profiles/resolve-batch.js';
import {
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
  let orders: OrderTraits | undefined;
  let engagement: Engagement | undefined;
  for (const e of events) {
    if (e.message.type !== 'track') continue;
    if (e.message.event === ORDER_COMPLETED) {
      orders = addOrder(
        orders ?? readOrderTraits(profile.computed),
        readOrder(e.message.properties),
        e.timestamp,
      );
      continue;
    }
    const channel = engagementChannelOf(e.message.event);
    if (channel === undefined) continue;
    engagement = addEngagement(engagement ?? readEngagement(profile.computed?.engagement), channel, {
      name: e.message.event!,
      at: e.timestamp,
    });
  }
  if (!orders && !engagement) return profile;
  let computed: Computed = profile.computed ?? {};
  computed = writeOrders(computed, orders);
  if (engagement) computed = writeEngagement(computed, engagement);
  return { ...profile, computed };
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
