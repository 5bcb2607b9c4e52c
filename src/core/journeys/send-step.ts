import { asEpochMs, type EpochMs } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import { chooseChannel } from './channels.js';
import { durationMs } from './durations.js';
import { evaluateCaps, type CapRule, type RecentSend } from './frequency-caps.js';
import type { NodeOf } from './nodes.js';
import { nextAllowedInstant, quietWindowFor, type QuietHours } from './quiet-hours.js';
import type { RunEffect } from './run-state.js';

/** The workspace's rules for every send: frequency caps and quiet hours. */
export interface SendPolicy {
  readonly capRules: readonly CapRule[];
  readonly quietHours: QuietHours;
}

/** What one attempt at a send node comes to. */
export type SendOutcome =
  | {
      readonly kind: 'planned';
      readonly effect: Extract<RunEffect, { type: 'plan_send' }>;
      readonly send: RecentSend;
    }
  | { readonly kind: 'skipped'; readonly reason: string }
  | { readonly kind: 'deferred'; readonly until: EpochMs; readonly reason: 'frequency_cap' | 'quiet_hours' };

/** Everything an attempt reads. `since` is when the run first reached the node (the cap wait counts from it). */
export interface SendAttempt {
  readonly node: NodeOf<'send'>;
  readonly profile: Profile;
  readonly policy: SendPolicy;
  readonly recentSends: readonly RecentSend[];
  readonly now: EpochMs;
  readonly since: EpochMs;
  readonly timeZone: string;
  readonly idempotencyKey: (channel: string) => string;
  readonly priority: number;
}

/**
 * Decides a send: pick the channel, then check the caps (defer or skip as the node says), then quiet
 * hours (a marketing message waits for their end). A send is planned only when both allow it now.
 * @example attemptSend({ node, profile, policy, recentSends: [], now, since: now, timeZone: 'UTC', … })
 */
export function attemptSend(a: SendAttempt): SendOutcome {
  const channel = chooseChannel(a.node.channel, a.profile);
  if (channel === undefined) return { kind: 'skipped', reason: 'no reachable channel' };
  const category = a.node.category;
  const caps = evaluateCaps(
    a.policy.capRules,
    { channel, category },
    {
      now: a.now,
      timeZone: a.timeZone,
      recentSends: a.recentSends,
      behaviour: { onCap: a.node.onCap, waitUntil: asEpochMs(a.since + durationMs(a.node.maxCapWait)) },
    },
  );
  switch (caps.decision) {
    case 'skip':
      return { kind: 'skipped', reason: caps.reason };
    case 'defer':
      return { kind: 'deferred', until: caps.until, reason: 'frequency_cap' };
    case 'allow':
      break;
  }
  if (category === 'marketing') {
    const allowed = nextAllowedInstant(a.now, quietWindowFor(a.policy.quietHours, channel), a.timeZone);
    if (allowed > a.now) return { kind: 'deferred', until: allowed, reason: 'quiet_hours' };
  }
  const effect = {
    type: 'plan_send',
    idempotencyKey: a.idempotencyKey(channel),
    nodeId: a.node.id,
    template: a.node.template,
    channel,
    category,
    priority: a.priority,
  } as const;
  return { kind: 'planned', effect, send: { at: a.now, channel, category } };
}
