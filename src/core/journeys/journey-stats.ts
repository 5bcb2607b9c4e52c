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
