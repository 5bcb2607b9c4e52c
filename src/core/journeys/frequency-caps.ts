import { z } from 'zod';
import { asEpochMs, MS_PER_DAY, type EpochMs } from '../brand.js';
import { asEpochDay } from '../stats/civil-date.js';
import { journeyChannelSchema, type JourneyChannel } from './channels.js';
import { durationMs, durationSchema } from './durations.js';
import { localDayOf, startOfLocalDay } from './time-zone.js';

export type SendCategory = 'marketing' | 'transactional';

/**
 * A workspace rule across all journeys: at most `max` messages per `window`. `category: marketing`
 * (the default) counts and limits marketing messages only, so transactional ones bypass it; `all`
 * counts and limits both. With `alignTo: local_days` a window of N days is the recipient's current
 * calendar day and the N−1 before it, rather than the last N×24 hours.
 */
export const capRuleSchema = z
  .object({
    id: z.string().min(1).max(100),
    max: z.number().int().min(1).max(1000),
    window: durationSchema,
    category: z.enum(['marketing', 'all']).default('marketing'),
    channel: journeyChannelSchema.optional(),
    alignTo: z.enum(['rolling', 'local_days']).default('rolling'),
  })
  .readonly()
  .refine((r) => r.alignTo === 'rolling' || r.window.unit === 'days' || r.window.unit === 'weeks', {
    message: 'windows aligned to local days are whole days or weeks',
    path: ['alignTo'],
  });
export type CapRule = z.infer<typeof capRuleSchema>;

/** A message already planned for the person (by any journey), as caps see it. */
export interface RecentSend {
  readonly at: EpochMs;
  readonly channel: JourneyChannel;
  readonly category: SendCategory;
}

/** What the caps say about one more message now. */
export type CapDecision =
  | { readonly decision: 'allow' }
  | { readonly decision: 'defer'; readonly until: EpochMs; readonly ruleId: string }
  | { readonly decision: 'skip'; readonly reason: string; readonly ruleId: string };

/** How a capped send behaves: wait until the caps free it (no later than `waitUntil`), or skip. */
export interface CapBehaviour {
  readonly onCap: 'wait' | 'skip';
  readonly waitUntil: EpochMs;
}

const applies = (rule: CapRule, channel: JourneyChannel, category: SendCategory): boolean =>
  (rule.category === 'all' || category === 'marketing') &&
  (rule.channel === undefined || rule.channel === channel);

/** When one rule lets the message go, given the sends it counts; `at` itself if it already does. */
function freeAt(rule: CapRule, counted: readonly RecentSend[], at: EpochMs, timeZone: string): EpochMs {
  if (rule.alignTo === 'local_days') {
    const days = Math.round(durationMs(rule.window) / MS_PER_DAY);
    const today = localDayOf(at, timeZone);
    const inWindow = counted
      .map((s) => localDayOf(s.at, timeZone))
      .filter((d) => d > today - days && d <= today);
    if (inWindow.length < rule.max) return at;
    inWindow.sort((a, b) => a - b);
    // The window drops a day at each local midnight; free once the oldest surplus day is out.
    return startOfLocalDay(asEpochDay(inWindow[inWindow.length - rule.max]! + days), timeZone);
  }
  const w = durationMs(rule.window);
  const inWindow = counted.map((s) => s.at).filter((t) => t > at - w && t <= at);
  if (inWindow.length < rule.max) return at;
  inWindow.sort((a, b) => a - b);
  return asEpochMs(inWindow[inWindow.length - rule.max]! + w);
}

/**
 * Checks one more message against the workspace's cap rules and the person's recent sends. When capped,
 * finds the earliest instant every rule frees it (sends only age out, so that instant is stable), then
 * defers to it or skips as the behaviour says; a wait past `waitUntil` becomes a skip.
 * @example evaluateCaps(rules, { channel: 'email', category: 'marketing' }, sends, { now, timeZone: 'UTC', behaviour })
 */
export function evaluateCaps(
  rules: readonly CapRule[],
  message: { readonly channel: JourneyChannel; readonly category: SendCategory },
  context: {
    readonly now: EpochMs;
    readonly timeZone: string;
    readonly recentSends: readonly RecentSend[];
    readonly behaviour: CapBehaviour;
  },
): CapDecision {
  const active = rules.filter((r) => applies(r, message.channel, message.category));
  let at = context.now;
  let blocking: CapRule | undefined;
  for (let round = 0; round <= active.length; round++) {
    let moved = false;
    for (const rule of active) {
      const counted = context.recentSends.filter((s) => applies(rule, s.channel, s.category));
      const free = freeAt(rule, counted, at, context.timeZone);
      if (free > at) {
        at = free;
        blocking ??= rule;
        moved = true;
      }
    }
    if (!moved) break;
  }
  if (!blocking) return { decision: 'allow' };
  if (context.behaviour.onCap === 'skip')
    return { decision: 'skip', reason: `capped by ${blocking.id}`, ruleId: blocking.id };
  if (at > context.behaviour.waitUntil)
    return {
      decision: 'skip',
      reason: `capped by ${blocking.id} beyond the maximum wait`,
      ruleId: blocking.id,
    };
  return { decision: 'defer', until: at, ruleId: blocking.id };
}
