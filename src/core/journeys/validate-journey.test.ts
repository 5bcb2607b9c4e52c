import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validateJourney, type JourneyProblem } from './validate-journey.js';

const base = {
  id: 'j',
  name: 'J',
  trigger: { type: 'api' },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'send', type: 'send', template: 'welcome', channel: 'email' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'send' },
    { from: 'send', to: 'done' },
  ],
};

const problemsOf = (input: unknown, templates?: string[]): readonly JourneyProblem[] => {
  const r = validateJourney(input, templates ? { knownTemplates: new Set(templates) } : {});
  return r.ok ? [] : r.error;
};
const codes = (input: unknown, templates?: string[]): string[] =>
  problemsOf(input, templates).map((p) => p.code);

test('a sound journey validates', () => {
  const r = validateJourney(base, { knownTemplates: new Set(['welcome']) });
  assert.ok(r.ok);
  assert.equal(r.value.settings.priority, 5);
});

test('schema errors carry JSON paths', () => {
  const broken = { ...base, nodes: [...base.nodes, { id: 'd', type: 'delay', delay: { kind: 'duration' } }] };
  const [p] = problemsOf(broken);
  assert.equal(p?.code, 'schema');
  assert.equal(p?.path, '$.nodes[3].delay.duration');
});

test('unknown template, named with its node and path', () => {
  assert.deepEqual(problemsOf(base, ['other']), [
    {
      code: 'unknown_template',
      message: 'send sends unknown template welcome',
      path: '$.nodes[1].template',
      nodeId: 'send',
    },
  ]);
});

test('entries: none, or more than one', () => {
  const none = { ...base, nodes: base.nodes.slice(1), edges: base.edges.slice(1) };
  assert.ok(codes(none).includes('no_entry'));
  const two = {
    ...base,
    nodes: [...base.nodes, { id: 'again', type: 'entry' }],
    edges: [...base.edges, { from: 'again', to: 'done' }],
  };
  const p = problemsOf(two).find((x) => x.code === 'multiple_entries');
  assert.deepEqual(p && [p.nodeId, p.path], ['again', '$.nodes[3]']);
});

test('unknown node in an edge, unknown branch, duplicate edge, missing branch', () => {
  const j = {
    ...base,
    nodes: [
      ...base.nodes,
      { id: 'w', type: 'wait_for_event', event: 'X', timeout: { amount: 1, unit: 'days' } },
    ],
    edges: [
      { from: 'start', to: 'w' },
      { from: 'w', to: 'send', branch: 'event' },
      { from: 'w', to: 'nowhere', branch: 'timeout' },
      { from: 'send', to: 'done' },
      { from: 'send', to: 'done' },
      { from: 'done', to: 'send', branch: 'yes' },
      { from: 'ghost', to: 'send' },
    ],
  };
  const found = problemsOf(j).map((p) => `${p.code} ${p.path}`);
  assert.deepEqual(found.sort(), [
    'duplicate_edge $.edges[4]',
    'unknown_branch $.edges[5].branch',
    'unknown_node $.edges[2].to',
    'unknown_node $.edges[6].from',
  ]);
  const missing = { ...j, edges: j.edges.slice(0, 2).concat([{ from: 'send', to: 'done' }]) };
  assert.deepEqual(
    problemsOf(missing).map((p) => [p.code, p.nodeId, p.path]),
    [['missing_branch', 'w', '$.nodes[3]']],
  );
});

test('unreachable nodes are named', () => {
  const j = { ...base, nodes: [...base.nodes, { id: 'lost', type: 'exit' }] };
  assert.deepEqual(
    problemsOf(j).map((p) => [p.code, p.nodeId]),
    [['unreachable_node', 'lost']],
  );
});

test('a cycle without a delay or wait is refused; through a delay it is fine', () => {
  const loop = {
    ...base,
    nodes: [
      { id: 'start', type: 'entry' },
      { id: 'c', type: 'condition', test: { condition: { type: 'trait', trait: 'vip', op: 'exists' } } },
      { id: 'send', type: 'send', template: 'welcome', channel: 'email' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'start', to: 'c' },
      { from: 'c', to: 'send', branch: 'yes' },
      { from: 'c', to: 'done', branch: 'no' },
      { from: 'send', to: 'c' },
    ],
  };
  const p = problemsOf(loop);
  assert.deepEqual(
    p.map((x) => x.code),
    ['cycle_without_wait'],
  );
  assert.match(p[0]!.message, /c, send|send, c/);
  const withDelay = {
    ...loop,
    nodes: [
      ...loop.nodes,
      { id: 'd', type: 'delay', delay: { kind: 'duration', duration: { amount: 1, unit: 'days' } } },
    ],
    edges: [...loop.edges.slice(0, 3), { from: 'send', to: 'd' }, { from: 'd', to: 'c' }],
  };
  assert.deepEqual(codes(withDelay), []);
});

test('matching the run key needs a run key; reserved context keys; duplicate branch keys', () => {
  const j = {
    ...base,
    goal: { matchRunKey: true },
    nodes: [
      ...base.nodes.slice(0, 2),
      { id: 'hook', type: 'webhook', url: 'https://x.test/a', responseKey: 'trigger' },
      { id: 'split', type: 'random_split', variants: [{ key: 'holdout', weight: 1 }], holdout: 1 },
      base.nodes[2]!,
    ],
    edges: [
      { from: 'start', to: 'send' },
      { from: 'send', to: 'hook' },
      { from: 'hook', to: 'split' },
      { from: 'split', to: 'done', branch: 'holdout' },
    ],
  };
  assert.deepEqual(codes(j).sort(), ['duplicate_branch_key', 'reserved_context_key', 'run_key_required']);
});

test('validation never throws, whatever it is given', () => {
  for (const input of [null, 42, 'x', [], { nodes: 'x' }, { ...base, edges: null }]) {
    assert.equal(validateJourney(input).ok, false);
  }
});
