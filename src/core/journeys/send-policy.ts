import { z } from 'zod';
import { capRuleSchema } from './frequency-caps.js';
import { quietHoursSchema } from './quiet-hours.js';
import type { SendPolicy } from './send-step.js';

/**
 * The workspace's send policy as JSON (the API and the settings row): frequency caps across all
 * journeys and channels, and quiet hours per recipient time zone.
 * @example sendPolicySchema.parse({ capRules: [{ id: 'daily', max: 1, window: { amount: 24, unit: 'hours' } }] })
 */
export const sendPolicySchema = z
  .object({
    capRules: z.array(capRuleSchema).max(50).readonly().default([]),
    quietHours: quietHoursSchema.default({ default: { start: '21:00', end: '08:00' }, channels: {} }),
  })
  .readonly();

/** Reads a stored policy; a missing or unreadable one is the default (quiet hours, no caps). */
export function parseSendPolicy(json: string | undefined): SendPolicy {
  let value: unknown = {};
  try {
    value = json === undefined ? {} : JSON.parse(json);
  } catch {
    value = {};
  }
  const parsed = sendPolicySchema.safeParse(value);
  return parsed.success ? parsed.data : sendPolicySchema.parse({});
}

/** The settings key the policy is stored under. */
export const SEND_POLICY_KEY = 'journey_policy';
