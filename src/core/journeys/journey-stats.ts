import type { DecisionRecord, SendRecord } from './journey-write.js';
import type { RunState } from './run-state.js';

/** Per node: how many runs entered it, wait there now, passed it (and by which branch), ended there, converted after it. */
export interface NodeStats {
  entered: number;
  waiting: number;
  passed: number;
  exited: number;
  converted: number;
  messages: number;
  deferred: number;
  skipped: number;
  branches: Record<string, number>;
}

export interface JourneyStats {
  readonly started: number;
  readonly active: number;
  readonly ended: number;
  readonly converted: number;
  readonly revenue: number;
  readonly messages: number;
  readonly nodes: Record<string, NodeStats>;
}

const emptyNode = (): NodeStats => ({
  entered: 0,
  waiting: 0,
  passed: 0,
  exited: 0,
  converted: 0,
  messages: 0,
  deferred: 0,
  skipped: 0,
  branches: {},
});

/**
 * A journey's statistics from its runs, planned sends and send decisions: per node and branch and for
 * the whole journey. Revenue is summed by the store from recorded conversions.
 * @example computeJourneyStats({ runs, sends, decisions, revenue: 120 }).nodes.reminder.messages
 */
export function computeJourneyStats(activity: {
  readonly runs: readonly RunState[];
  readonly sends: readonly SendRecord[];
  readonly decisions: readonly DecisionRecord[];
  readonly revenue: number;
}): JourneyStats {
  const nodes: Record<string, NodeStats> = {};
  const node = (id: string): NodeStats => (nodes[id] ??= emptyNode());
  let started = 0;
  let active = 0;
  let ended = 0;
  let converted = 0;
  for (const run of activity.runs) {
    if (run.status === 'new') continue;
    started++;
    if (run.status === 'active') {
      active++;
      if (run.wait) node(run.nodeId).waiting++;
    } else {
      ended++;
      node(run.nodeId).exited++;
    }
    for (const h of run.history) {
      const n = node(h.nodeId);
      n.entered++;
      if (h.branch !== undefined) {
        n.passed++;
        n.branches[h.branch] = (n.branches[h.branch] ?? 0) + 1;
      }
    }
    if (run.convertedAt !== undefined) {
      converted++;
      for (const id of new Set(run.history.map((h) => h.nodeId))) node(id).converted++;
    }
  }
  let messages = 0;
  for (const s of activity.sends) {
    if (s.kind !== 'message') continue;
    node(s.nodeId).messages++;
    messages++;
  }
  for (const d of activity.decisions) {
    if (d.kind === 'deferred') node(d.nodeId).deferred++;
    if (d.kind === 'skipped') node(d.nodeId).skipped++;
  }
  return { started, active, ended, converted, revenue: activity.revenue, messages, nodes };
}

/** The key of a counter: node id (empty for the whole journey), a tab, the counter's name. */
export const counterKey = (nodeId: string, name: string): string => `${nodeId}\t${name}`;

/**
 * What one run contributes to its journey's counters, the same way `computeJourneyStats` counts it:
 * started/ended/converted for the journey, and per node entered, passed, exited, converted and
 * `branch:<key>`. Waiting runs are not counted here (the store counts them from its runs index).
 */
export function runCounters(run: RunState): Map<string, number> {
  const out = new Map<string, number>();
  if (run.status === 'new') return out;
  const add = (nodeId: string, name: string): void => {
    const key = counterKey(nodeId, name);
    out.set(key, (out.get(key) ?? 0) + 1);
  };
  add('', 'started');
  if (run.status === 'ended') {
    add('', 'ended');
    add(run.nodeId, 'exited');
  }
  for (const h of run.history) {
    add(h.nodeId, 'entered');
    if (h.branch === undefined) continue;
    add(h.nodeId, 'passed');
    add(h.nodeId, `branch:${h.branch}`);
  }
  if (run.convertedAt !== undefined) {
    add('', 'converted');
    for (const id of new Set(run.history.map((h) => h.nodeId))) add(id, 'converted');
  }
  return out;
}

/**
 * The change in counters from a run's state before a step (undefined: new) to after it.
 * @example countersDelta(before, after) // { 'reminder\tentered': 1, '\tstarted': 1 }
 */
export function countersDelta(before: RunState | undefined, after: RunState): Record<string, number> {
  const delta = Object.fromEntries(runCounters(after));
  if (before) for (const [k, v] of runCounters(before)) delta[k] = (delta[k] ?? 0) - v;
  for (const k of Object.keys(delta)) if (delta[k] === 0) delete delta[k];
  return delta;
}

/**
 * A journey's statistics from its counters (node, name, value), the number of runs waiting at each
 * node, and revenue: O(nodes), whatever the number of runs.
 * @example statsFromCounters(rows, new Map([['wait', 12]]), 59.9)
 */
export function statsFromCounters(
  counters: readonly { readonly nodeId: string; readonly name: string; readonly value: number }[],
  waiting: ReadonlyMap<string, number>,
  revenue: number,
): JourneyStats {
  const nodes: Record<string, NodeStats> = {};
  const node = (id: string): NodeStats => (nodes[id] ??= emptyNode());
  const total: Record<string, number> = {};
  for (const { nodeId, name, value } of counters) {
    if (value === 0) continue;
    if (nodeId === '') {
      total[name] = value;
      continue;
    }
    const n = node(nodeId);
    if (name.startsWith('branch:')) n.branches[name.slice('branch:'.length)] = value;
    else if (name in n && name !== 'branches' && name !== 'waiting')
      (n as unknown as Record<string, number>)[name] = value;
  }
  for (const [id, count] of waiting) node(id).waiting = count;
  const started = total.started ?? 0;
  const ended = total.ended ?? 0;
  return {
    started,
    active: started - ended,
    ended,
    converted: total.converted ?? 0,
    revenue,
    messages: total.messages ?? 0,
    nodes,
  };
}
