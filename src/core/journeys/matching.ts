import type { EpochMs } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import type { PropertyFilter } from '../segments/definition.js';
import { evaluateCondition } from '../segments/evaluate.js';
import { compareValue, readPath } from '../segments/values.js';
import type { NodeTest } from './nodes.js';
import type { JourneyEvent, RunState } from './run-state.js';

/** Whether a value holder passes every property filter (filters never depend on time). */
export const passesFilters = (root: unknown, filters: readonly PropertyFilter[] | undefined): boolean =>
  (filters ?? []).every((f) => compareValue(readPath(root, f.property), f, 0).value);

/** Whether an event is the named one, passes the filters and, when asked, carries the run's key. */
export function matchesEvent(
  event: JourneyEvent,
  spec: {
    readonly event: string;
    readonly where?: readonly PropertyFilter[];
    readonly matchRunKey?: boolean;
  },
  run: { readonly runKey?: string; readonly keyProperty?: string },
): boolean {
  if (event.event !== spec.event || !passesFilters(event.properties, spec.where)) return false;
  if (!spec.matchRunKey || run.runKey === undefined || run.keyProperty === undefined) return true;
  return keyOf(event.properties, run.keyProperty) === run.runKey;
}

/** The run key an event's properties give: strings as they are, numbers written out. */
export function keyOf(properties: Readonly<Record<string, unknown>>, property: string): string | undefined {
  const v = readPath(properties, property);
  return typeof v === 'string' && v.length > 0
    ? v
    : typeof v === 'number' && Number.isFinite(v)
      ? String(v)
      : undefined;
}

/** The trigger event's properties stored in a run's context. */
export function triggerProperties(run: RunState): unknown {
  const trigger = run.context.trigger as { properties?: unknown } | undefined;
  return trigger?.properties;
}

/** Whether a condition or audience test holds for the person and the run at `now`. */
export function passesTest(test: NodeTest, profile: Profile, run: RunState, now: EpochMs): boolean {
  if (!passesFilters(triggerProperties(run), test.trigger)) return false;
  if (!passesFilters(run.context, test.context)) return false;
  if (!test.condition) return true;
  const isMember = (segmentId: string): boolean => profile.segments?.[segmentId] !== undefined;
  return evaluateCondition(test.condition, profile, { now, isMember }).value;
}

/**
 * The revenue of a conversion event: the named property, else Segment's `revenue`, `total` or `value`.
 * @example revenueOf({ event: 'Order Completed', properties: { total: 42 } }) // 42
 */
export function revenueOf(event: JourneyEvent, property?: string): number {
  for (const name of property ? [property] : ['revenue', 'total', 'value']) {
    const v = readPath(event.properties, name);
    if (typeof v === 'number' && Number.isFinite(v)) return v;
    if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  }
  return 0;
}
