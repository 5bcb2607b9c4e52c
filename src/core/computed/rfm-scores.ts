import type { EpochMs } from '../brand.js';
import { internalTrack } from '../messages/internal-message.js';
import type { InboundMessage } from '../messages/inbound-message.js';
import type { Profile } from '../profiles/profile.js';
import type { RfmGroup, RfmInput, RfmResult } from '../stats/rfm.js';
import { daysSince } from '../segments/values.js';
import { readOrderTraits } from './order-traits.js';

/** The internal event emitted when a person's RFM group changes (journeys can start from it). */
export const RFM_GROUP_CHANGED = 'RFM Group Changed';

/** The RFM measures of a profile at `now`, or undefined when the person has no order. */
export function rfmInputOf(profile: Profile, now: number): RfmInput | undefined {
  const orders = readOrderTraits(profile.computed);
  if (!orders) return undefined;
  return {
    id: profile.id,
    recencyDays: daysSince(orders.lastOrderAt, now) ?? 0,
    frequency: orders.ordersCount,
    monetary: orders.revenue,
  };
}

/**
 * The `RFM Group Changed` event; its messageId is derived from the profile and time, so replaying the
 * same recompute never doubles it.
 */
export function rfmGroupChangedEvent(
  profile: Profile,
  change: { readonly previousGroup: RfmGroup | null; readonly score: RfmResult | undefined },
  now: EpochMs,
): InboundMessage {
  const { score } = change;
  return internalTrack({
    event: RFM_GROUP_CHANGED,
    messageId: `rfm:${profile.id}:${now}`,
    person: { userId: profile.userIds[0] },
    properties: {
      previousGroup: change.previousGroup,
      group: score?.group ?? null,
      recency: score?.recency ?? null,
      frequency: score?.frequency ?? null,
      monetary: score?.monetary ?? null,
    },
    at: now,
  });
}

const RFM_KEYS = ['rfmRecency', 'rfmFrequency', 'rfmMonetary', 'rfmGroup'] as const;

/**
 * Writes a profile's RFM scores (undefined: the person is no customer, the scores are removed) and
 * returns the event to record when the group changed, or undefined when nothing changed at all.
 * @example applyRfmScore(profile, { id, recency: 5, frequency: 4, monetary: 4, group: 'Champions' }, now)
 */
export function applyRfmScore(
  profile: Profile,
  score: RfmResult | undefined,
  now: EpochMs,
): { readonly profile: Profile; readonly event?: InboundMessage } | undefined {
  const computed = profile.computed ?? {};
  const previous = typeof computed.rfmGroup === 'string' ? (computed.rfmGroup as RfmGroup) : null;
  const next = score
    ? {
        rfmRecency: score.recency,
        rfmFrequency: score.frequency,
        rfmMonetary: score.monetary,
        rfmGroup: score.group,
      }
    : undefined;
  const same = RFM_KEYS.every((k) => computed[k] === next?.[k]);
  if (same) return undefined;
  const rest = Object.fromEntries(
    Object.entries(computed).filter(([k]) => !(RFM_KEYS as readonly string[]).includes(k)),
  );
  const updated: Profile = { ...profile, computed: { ...rest, ...next } };
  if (previous === (score?.group ?? null)) return { profile: updated };
  return { profile: updated, event: rfmGroupChangedEvent(profile, { previousGroup: previous, score }, now) };
}
