import { asEpochMs, asProfileId, type EpochMs } from '../brand.js';
import { createProfile, setTraits, type Profile } from '../profiles/profile.js';
import { journeySchema, type Journey, type JourneyInput } from './definition.js';
import { DEFAULT_QUIET_HOURS } from './quiet-hours.js';
import type { SendPolicy } from './send-step.js';
import type { StepEnvironment } from './step-machine.js';

/**
 * Shared pieces for the journey tests and for simulations: a sample shopper, a parsed journey, and an
 * environment at a given instant.
 */

/** An ISO instant as epoch ms. @example at('2025-01-06T10:00:00Z') */
export const at = (iso: string): EpochMs => asEpochMs(Date.parse(iso));

/** A shopper in Istanbul with an email address and a phone number. */
export function sampleProfile(traits: Readonly<Record<string, unknown>> = {}): Profile {
  const base = createProfile(asProfileId('prf_sample'), at('2024-01-01T00:00:00Z'), 'web');
  return setTraits(
    base,
    {
      email: 'ada@example.com',
      phone: '+905551112233',
      firstName: 'Ada',
      timezone: 'Europe/Istanbul',
      birthday: '1990-05-04',
      ...traits,
    },
    base.createdAt,
  );
}

/** Parses a journey written in a test (defaults filled in); throws on a schema error, as a test should. */
export const defineJourney = (input: JourneyInput): Journey => journeySchema.parse(input);

/** No caps and no quiet hours: every send goes at once. */
export const OPEN_POLICY: SendPolicy = {
  capRules: [],
  quietHours: { default: { start: '00:00', end: '00:00' }, channels: {} },
};

/** The default policy: quiet hours 21:00–08:00 and no caps. */
export const QUIET_POLICY: SendPolicy = { capRules: [], quietHours: DEFAULT_QUIET_HOURS };

/** An environment for one step. */
export function envAt(
  journey: Journey,
  now: EpochMs,
  options: {
    readonly profile?: Profile;
    readonly policy?: SendPolicy;
    readonly recentSends?: StepEnvironment['recentSends'];
  } = {},
): StepEnvironment {
  return {
    journey,
    now,
    profile: options.profile ?? sampleProfile(),
    policy: options.policy ?? OPEN_POLICY,
    recentSends: options.recentSends ?? [],
  };
}
