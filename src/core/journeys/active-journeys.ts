import type { Journey } from './definition.js';
import type { SendPolicy } from './send-step.js';
import { DEFAULT_QUIET_HOURS } from './quiet-hours.js';
import { durationMs } from './durations.js';

/**
 * The journeys the engine runs: the latest published version of each (new runs start there), served
 * in priority order, and every version a run may still be on, by `id@version`.
 */
export interface ActiveJourneys {
  readonly latest: readonly Journey[];
  readonly versions: ReadonlyMap<string, Journey>;
  readonly policy: SendPolicy;
}

/** The workspace policy until one is saved: default quiet hours, no caps. */
export const DEFAULT_SEND_POLICY: SendPolicy = { capRules: [], quietHours: DEFAULT_QUIET_HOURS };

/** The key of a journey version in {@link ActiveJourneys.versions}. */
export const versionKey = (journeyId: string, version: number): string => `${journeyId}@${version}`;

/**
 * Indexes published journeys for the engine: latest versions sorted by priority (highest first, then
 * id, so the order is stable), and all versions by key.
 * @example prepareJourneys([cartV2], [cartV1, cartV2], DEFAULT_SEND_POLICY)
 */
export function prepareJourneys(
  latest: readonly Journey[],
  versions: readonly Journey[],
  policy: SendPolicy = DEFAULT_SEND_POLICY,
): ActiveJourneys {
  const sorted = [...latest].sort(
    (a, b) => b.settings.priority - a.settings.priority || a.id.localeCompare(b.id),
  );
  const all = new Map<string, Journey>();
  for (const j of [...versions, ...latest]) all.set(versionKey(j.id, j.version), j);
  return { latest: sorted, versions: all, policy };
}

/** The longest cap window of a policy, in ms (how far back recent sends must be loaded); local-day windows get a day more. */
export const longestCapWindowMs = (policy: SendPolicy): number =>
  policy.capRules.reduce((max, r) => Math.max(max, durationMs(r.window) + 86_400_000), 0);
