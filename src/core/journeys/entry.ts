import type { EpochMs } from '../brand.js';
import { MS_PER_DAY } from '../brand.js';
import { err, ok, type Result } from '../result.js';
import type { Journey } from './definition.js';
import { keyOf, passesFilters } from './matching.js';
import type { JourneyEvent, RunState } from './run-state.js';

/** Why a person does not start a run. */
export type EntryRefusal =
  'not_triggered' | 'missing_run_key' | 'no_reentry' | 'previous_active' | 'too_soon' | 'max_concurrent';

/**
 * Whether an event starts this journey (an `event` trigger), and the run key it carries when the
 * journey is keyed. A keyed journey needs the key: an event without it starts nothing.
 * @example matchEventTrigger(abandonedCart, { event: 'Cart Abandoned', properties: { cartId: 'c1' } }) // ok({ runKey: 'c1' })
 */
export function matchEventTrigger(
  journey: Journey,
  event: JourneyEvent,
): Result<{ readonly runKey?: string }, EntryRefusal> {
  const t = journey.trigger;
  if (t.type !== 'event' || t.event !== event.event || !passesFilters(event.properties, t.where)) {
    return err('not_triggered');
  }
  return keyedBy(journey, event.properties);
}

/** The run key of a start (from the trigger event or API payload), when the journey is keyed. */
export function keyedBy(
  journey: Journey,
  properties: Readonly<Record<string, unknown>>,
): Result<{ readonly runKey?: string }, EntryRefusal> {
  if (!journey.runKey) return ok({});
  const runKey = keyOf(properties, journey.runKey.property);
  return runKey === undefined ? err('missing_run_key') : ok({ runKey });
}

/**
 * Applies the re-entry rule and the limit of concurrent runs to the person's earlier runs of this
 * journey (all versions); in a keyed journey only runs of the same key count.
 * @example decideEntry(journey, previousRuns, { now, runKey: 'c1' }) // ok(undefined) or err('previous_active')
 */
export function decideEntry(
  journey: Journey,
  previous: readonly Pick<RunState, 'status' | 'startedAt' | 'runKey'>[],
  start: { readonly now: EpochMs; readonly runKey?: string },
): Result<undefined, EntryRefusal> {
  const same = journey.runKey ? previous.filter((r) => r.runKey === start.runKey) : previous;
  const active = same.filter((r) => r.status !== 'ended').length;
  const rule = journey.reEntry;
  switch (rule.mode) {
    case 'never':
      if (same.length > 0) return err('no_reentry');
      break;
    case 'after_previous_ends':
      if (active > 0) return err('previous_active');
      break;
    case 'after_days': {
      const last = Math.max(...same.map((r) => r.startedAt), -Infinity);
      if (start.now < last + (rule.days ?? 0) * MS_PER_DAY) return err('too_soon');
      break;
    }
  }
  return active >= rule.maxConcurrent ? err('max_concurrent') : ok(undefined);
}
