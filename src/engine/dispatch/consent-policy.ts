import { z } from 'zod';
import { messageChannelSchema, type MessageChannel } from '../../core/channels/variants.js';
import type { SendCategory } from '../../store/store.js';

/** A subscription topic of one channel (`email:newsletter`), opt-in or opt-out by default. */
export const consentTopicSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, - and _'),
  channel: messageChannelSchema,
  label: z.string().min(1).max(200),
  default: z.enum(['opt-in', 'opt-out']).default('opt-out'),
});

/** Per channel defaults and the topics people can subscribe to. */
export const consentPolicySchema = z.object({
  /** Channels that need an explicit opt-in before marketing (SMS usually does). */
  channels: z.partialRecord(messageChannelSchema, z.enum(['opt-in', 'opt-out'])).default({}),
  topics: z.array(consentTopicSchema).max(200).default([]),
});
export type ConsentPolicy = z.output<typeof consentPolicySchema>;
export type ConsentTopic = z.output<typeof consentTopicSchema>;

export const DEFAULT_CONSENT_POLICY: ConsentPolicy = { channels: {}, topics: [] };

/** The settings key the policy is stored under. */
export const CONSENT_POLICY_KEY = 'consent_policy';

/** Whether a person is subscribed to `channel` (and `topic`), given their choices and the defaults. */
export function isSubscribed(
  subs: Readonly<Record<string, boolean>>,
  target: { channel: MessageChannel; topic?: string | undefined },
  policy: ConsentPolicy,
): boolean {
  const channelDefault = policy.channels[target.channel] !== 'opt-in';
  if (!(subs[target.channel] ?? channelDefault)) return false;
  if (target.topic === undefined) return true;
  const topic = policy.topics.find((t) => t.id === target.topic && t.channel === target.channel);
  return subs[`${target.channel}:${target.topic}`] ?? topic?.default !== 'opt-in';
}

/**
 * Consent at send time: marketing needs the channel and topic subscription; transactional messages
 * bypass opt-outs (a receipt, a password reset). Suppressions are checked separately and bind both.
 * @example mayContact({ email: false }, { channel: 'email', category: 'transactional' }, policy) // true
 */
export function mayContact(
  subs: Readonly<Record<string, boolean>>,
  target: { channel: MessageChannel; topic?: string | undefined; category: SendCategory },
  policy: ConsentPolicy,
): boolean {
  return target.category === 'transactional' || isSubscribed(subs, target, policy);
}

/** The policy saved in the settings, or the default. */
export async function loadConsentPolicy(store: {
  getSetting(key: string): Promise<string | undefined>;
}): Promise<ConsentPolicy> {
  const raw = await store.getSetting(CONSENT_POLICY_KEY);
  if (raw === undefined) return DEFAULT_CONSENT_POLICY;
  const parsed = consentPolicySchema.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : DEFAULT_CONSENT_POLICY;
}
