import { err, ok, type Result } from '../result.js';
import { branchesOf, isWaitingNode, journeySchema, type Journey, type JourneyNode } from './definition.js';
import { findCyclesWithoutWait } from './find-cycles.js';

/** What can be wrong with a journey before it is published. */
export type JourneyProblemCode =
  | 'schema'
  | 'no_entry'
  | 'multiple_entries'
  | 'duplicate_node'
  | 'unknown_node'
  | 'unknown_branch'
  | 'duplicate_edge'
  | 'missing_branch'
  | 'unreachable_node'
  | 'unknown_template'
  | 'cycle_without_wait'
  | 'duplicate_branch_key'
  | 'reserved_context_key'
  | 'run_key_required';

/** One problem, with the node it concerns and a JSON path into the definition (`$.nodes[3].template`). */
export interface JourneyProblem {
  readonly code: JourneyProblemCode;
  readonly message: string;
  readonly path: string;
  readonly nodeId?: string;
}

/** What the publisher knows besides the journey itself. */
export interface ValidationOptions {
  /** Template ids that exist; when given, a send naming another is a problem. */
  readonly knownTemplates?: ReadonlySet<string>;
}

const RESERVED_CONTEXT_KEYS = new Set(['trigger', 'payload']);

const jsonPath = (path: readonly PropertyKey[]): string =>
  '$' + path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');

function checkNodes(j: Journey, options: ValidationOptions, out: JourneyProblem[]): void {
  const seen = new Set<string>();
  const entries = j.nodes.filter((n) => n.type === 'entry');
  if (entries.length === 0)
    out.push({ code: 'no_entry', message: 'the journey has no entry node', path: '$.nodes' });
  j.nodes.forEach((n, i) => {
    const at = (field?: string): string => `$.nodes[${i}]${field ? `.${field}` : ''}`;
    const problem = (code: JourneyProblemCode, message: string, field?: string): number =>
      out.push({ code, message, path: at(field), nodeId: n.id });
    if (seen.has(n.id)) problem('duplicate_node', `node id ${n.id} is used twice`, 'id');
    seen.add(n.id);
    if (n.type === 'entry' && n !== entries[0]) problem('multiple_entries', `${n.id} is a second entry node`);
    const keys = branchesOf(n);
    if (new Set(keys).size !== keys.length) problem('duplicate_branch_key', `${n.id} names a branch twice`);
    // The built-in log channel renders nothing, so its sends need no saved template.
    if (
      n.type === 'send' &&
      n.channel !== 'log' &&
      options.knownTemplates &&
      !options.knownTemplates.has(n.template)
    )
      problem('unknown_template', `${n.id} sends unknown template ${n.template}`, 'template');
    if (n.type === 'webhook' && n.responseKey !== undefined && RESERVED_CONTEXT_KEYS.has(n.responseKey))
      problem(
        'reserved_context_key',
        `${n.id} would overwrite the run context's ${n.responseKey}`,
        'responseKey',
      );
    if (n.type === 'wait_for_event' && n.matchRunKey && !j.runKey)
      problem(
        'run_key_required',
        `${n.id} matches the run key, but the journey has no runKey`,
        'matchRunKey',
      );
  });
  if (!j.runKey && (j.goal?.matchRunKey || j.exitRules.some((r) => r.kind === 'event' && r.matchRunKey)))
    out.push({
      code: 'run_key_required',
      message: 'matchRunKey is set, but the journey has no runKey',
      path: '$.runKey',
    });
}

function checkEdges(j: Journey, byId: ReadonlyMap<string, JourneyNode>, out: JourneyProblem[]): void {
  const taken = new Set<string>();
  j.edges.forEach((e, i) => {
    const from = byId.get(e.from);
    if (!from)
      out.push({
        code: 'unknown_node',
        message: `edge from unknown node ${e.from}`,
        path: `$.edges[${i}].from`,
      });
    if (!byId.has(e.to))
      out.push({
        code: 'unknown_node',
        message: `edge to unknown node ${e.to}`,
        path: `$.edges[${i}].to`,
        nodeId: e.from,
      });
    if (from && !branchesOf(from).includes(e.branch))
      out.push({
        code: 'unknown_branch',
        message: `${from.type} node ${e.from} has no branch ${e.branch}`,
        path: `$.edges[${i}].branch`,
        nodeId: e.from,
      });
    const key = `${e.from}\n${e.branch}`;
    if (taken.has(key))
      out.push({
        code: 'duplicate_edge',
        message: `${e.from} has two edges for ${e.branch}`,
        path: `$.edges[${i}]`,
        nodeId: e.from,
      });
    taken.add(key);
  });
  j.nodes.forEach((n, i) => {
    for (const branch of branchesOf(n)) {
      if (!taken.has(`${n.id}\n${branch}`))
        out.push({
          code: 'missing_branch',
          message: `${n.id} has no edge for branch ${branch}`,
          path: `$.nodes[${i}]`,
          nodeId: n.id,
        });
    }
  });
}

function checkReachability(j: Journey, out: JourneyProblem[]): void {
  const entry = j.nodes.find((n) => n.type === 'entry');
  if (!entry) return;
  const reached = new Set([entry.id]);
  const queue = [entry.id];
  for (let id = queue.pop(); id !== undefined; id = queue.pop()) {
    for (const e of j.edges) {
      if (e.from !== id || reached.has(e.to)) continue;
      reached.add(e.to);
      queue.push(e.to);
    }
  }
  j.nodes.forEach((n, i) => {
    if (!reached.has(n.id))
      out.push({
        code: 'unreachable_node',
        message: `${n.id} cannot be reached from the entry`,
        path: `$.nodes[${i}]`,
        nodeId: n.id,
      });
  });
}

/**
 * Parses and checks a journey before publishing, naming every problem found (not just the first):
 * schema errors, entry nodes, unknown nodes and branches in edges, missing branch edges, unreachable
 * nodes, unknown templates, and cycles that pass no delay or wait (they would loop without end).
 * @example validateJourney(json, { knownTemplates: new Set(['welcome-1']) }) // { ok: true, value: journey }
 */
export function validateJourney(
  input: unknown,
  options: ValidationOptions = {},
): Result<Journey, readonly JourneyProblem[]> {
  const parsed = journeySchema.safeParse(input);
  if (!parsed.success) {
    return err(
      parsed.error.issues.map((i) => ({
        code: 'schema' as const,
        message: i.message,
        path: jsonPath(i.path),
      })),
    );
  }
  const j = parsed.data;
  const byId = new Map(j.nodes.map((n) => [n.id, n]));
  const problems: JourneyProblem[] = [];
  checkNodes(j, options, problems);
  checkEdges(j, byId, problems);
  checkReachability(j, problems);
  // Edges by a branch the node does not have are already named above; they would only add noise here.
  const usable = j.edges.filter((e) => {
    const from = byId.get(e.from);
    return from !== undefined && branchesOf(from).includes(e.branch);
  });
  for (const cycle of findCyclesWithoutWait(
    j.nodes.filter((n) => !isWaitingNode(n)),
    usable,
  )) {
    const index = j.nodes.findIndex((n) => n.id === cycle[0]);
    problems.push({
      code: 'cycle_without_wait',
      message: `nodes loop without a delay or wait between them: ${cycle.join(', ')}`,
      path: `$.nodes[${index}]`,
      nodeId: cycle[0]!,
    });
  }
  return problems.length === 0 ? ok(j) : err(problems);
}
