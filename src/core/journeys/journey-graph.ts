import type { Journey, JourneyNode } from './definition.js';

/** A journey's graph, indexed for the step machine: nodes by id and edge targets by `from` and branch. */
export interface JourneyGraph {
  readonly nodes: ReadonlyMap<string, JourneyNode>;
  /** `${from}\n${branch}` → target node id (the first edge, if a graph not validated has several). */
  readonly targets: ReadonlyMap<string, string>;
}

const graphs = new WeakMap<Journey, JourneyGraph>();

/** The key of an edge in {@link JourneyGraph.targets}. */
export const edgeKey = (from: string, branch: string): string => `${from}\n${branch}`;

/**
 * Indexes a journey once (parsed journeys are frozen, so the index is memoised per object).
 * @example graphOf(journey).targets.get(edgeKey('wait', 'timeout'))
 */
export function graphOf(journey: Journey): JourneyGraph {
  let graph = graphs.get(journey);
  if (!graph) {
    const targets = new Map<string, string>();
    for (const e of journey.edges)
      if (!targets.has(edgeKey(e.from, e.branch))) targets.set(edgeKey(e.from, e.branch), e.to);
    graph = { nodes: new Map(journey.nodes.map((n) => [n.id, n])), targets };
    graphs.set(journey, graph);
  }
  return graph;
}
