import type { EpochMs } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import { readApiStart } from './api-start.js';
import type { Journey } from './definition.js';
import { decideEntry, keyedBy, matchEventTrigger } from './entry.js';
import type { RecentSend } from './frequency-caps.js';
import type { JourneyEvent, RunInput, RunState } from './run-state.js';
import type { SendPolicy } from './send-step.js';
import { simulateRun, type TimedEffect } from './simulate-run.js';

/** One person's stored events in the window, in time order. */
export interface SimulatedPerson {
  readonly profile: Profile;
  readonly events: readonly { readonly at: EpochMs; readonly event: JourneyEvent }[];
}

export interface SimulatedNode {
  /** Runs that reached the node by `to`. */
  reached: number;
  /** Runs that left it by `to`. */
  left: number;
  /** Runs still there at `to`. */
  waiting: number;
  deferred: number;
  capped: number;
  messages: number;
}

export interface SimulationReport {
  readonly from: EpochMs;
  readonly to: EpochMs;
  readonly people: number;
  readonly events: number;
  /** Runs the triggers would have started. */
  readonly entered: number;
  readonly refused: Record<string, number>;
  readonly ended: number;
  readonly converted: number;
  readonly revenue: number;
  readonly capped: number;
  readonly deferred: number;
  readonly messages: Record<string, number>;
  readonly nodes: Record<string, SimulatedNode>;
}

type Start = { runKey?: string; event?: JourneyEvent; payload?: Readonly<Record<string, unknown>> };

function startOf(journey: Journey, event: JourneyEvent): Start | undefined {
  const api = readApiStart(event);
  if (api) {
    if (api.journeyId !== journey.id) return undefined;
    const key = keyedBy(journey, api.context);
    return key.ok ? { ...key.value, payload: api.context } : undefined;
  }
  const t = journey.trigger;
  if (t.type === 'segment') {
    const entered = event.event === 'Segment Entered';
    const matches =
      (entered || event.event === 'Segment Exited') &&
      event.properties.segment_id === t.segmentId &&
      (t.on === 'entered') === entered;
    return matches ? { event } : undefined;
  }
  const matched = matchEventTrigger(journey, event);
  return matched.ok ? { ...matched.value, event } : undefined;
}

/** The inputs a run started by event `index` receives: the person's later events (and segment changes). */
function scriptOf(events: SimulatedPerson['events'], index: number): { at: EpochMs; input: RunInput }[] {
  const out: { at: EpochMs; input: RunInput }[] = [];
  for (const e of events.slice(index + 1)) {
    out.push({ at: e.at, input: { kind: 'event', event: e.event } });
    const segmentId = e.event.properties.segment_id;
    if (typeof segmentId === 'string' && e.event.event.startsWith('Segment '))
      out.push({
        at: e.at,
        input: { kind: 'segment', segmentId, member: e.event.event === 'Segment Entered' },
      });
  }
  return out;
}

/**
 * Replays stored history through a journey on a virtual clock with the production step machine
 * (`simulateRun`): every event in [from, to] that would trigger a run starts one (re-entry rules
 * applied per person), later events of that person arrive at their times, timers fire when due.
 * Sends nothing. Counts only what happens by `to`.
 * @example simulateWindow(journey, people, { from, to, policy }).nodes.reminder.messages
 */
export function simulateWindow(
  journey: Journey,
  people: Iterable<SimulatedPerson>,
  window: { readonly from: EpochMs; readonly to: EpochMs; readonly policy: SendPolicy },
): SimulationReport {
  const nodes: Record<string, SimulatedNode> = {};
  const node = (id: string): SimulatedNode =>
    (nodes[id] ??= { reached: 0, left: 0, waiting: 0, deferred: 0, capped: 0, messages: 0 });
  const messages: Record<string, number> = {};
  const refused: Record<string, number> = {};
  const totals = {
    people: 0,
    events: 0,
    entered: 0,
    ended: 0,
    converted: 0,
    revenue: 0,
    capped: 0,
    deferred: 0,
  };
  const count = (effects: readonly TimedEffect[]): RecentSend[] => {
    const sends: RecentSend[] = [];
    for (const { at, effect: e } of effects) {
      if (at > window.to) continue;
      if (e.type === 'plan_send') {
        messages[e.channel] = (messages[e.channel] ?? 0) + 1;
        node(e.nodeId).messages++;
        sends.push({ at, channel: e.channel, category: e.category });
      } else if (e.type === 'defer_send' || (e.type === 'skip_send' && e.reason.startsWith('capped'))) {
        const capped = e.type === 'skip_send' || e.reason === 'frequency_cap';
        if (capped) totals.capped++;
        else totals.deferred++;
        node(e.nodeId)[capped ? 'capped' : 'deferred']++;
      } else if (e.type === 'record_conversion') {
        totals.converted++;
        totals.revenue += e.revenue;
      }
    }
    return sends;
  };
  const tally = (run: RunState): void => {
    const seen = new Set<string>();
    let last: { nodeId: string; left: boolean } | undefined;
    for (const h of run.history) {
      if (h.at > window.to) break;
      if (!seen.has(h.nodeId)) {
        seen.add(h.nodeId);
        node(h.nodeId).reached++;
      }
      if (h.branch !== undefined) node(h.nodeId).left++;
      last = { nodeId: h.nodeId, left: h.branch !== undefined };
    }
    if (run.status === 'ended' && (run.endedAt ?? Infinity) <= window.to) totals.ended++;
    else if (last && !last.left) node(last.nodeId).waiting++;
  };
  for (const person of people) {
    totals.people++;
    totals.events += person.events.length;
    const runs: RunState[] = [];
    const sends: RecentSend[] = [];
    for (const [index, { at, event }] of person.events.entries()) {
      const start = startOf(journey, event);
      if (!start) continue;
      const previous = runs.map((r) => ({
        ...r,
        status:
          r.status === 'ended' && (r.endedAt ?? Infinity) <= at ? ('ended' as const) : ('active' as const),
      }));
      const entry = decideEntry(journey, previous, {
        now: at,
        ...(start.runKey !== undefined ? { runKey: start.runKey } : {}),
      });
      if (!entry.ok) {
        refused[entry.error] = (refused[entry.error] ?? 0) + 1;
        continue;
      }
      const played = simulateRun({
        journey,
        profile: person.profile,
        policy: window.policy,
        runId: `sim_${person.profile.id}_${runs.length + 1}`,
        startAt: at,
        ...(start.event ? { trigger: start.event } : {}),
        ...(start.runKey !== undefined ? { runKey: start.runKey } : {}),
        script: scriptOf(person.events, index),
        recentSends: sends,
      });
      totals.entered++;
      runs.push(played.run);
      sends.push(...count(played.effects));
      tally(played.run);
    }
  }
  return { from: window.from, to: window.to, ...totals, refused, messages, nodes };
}
