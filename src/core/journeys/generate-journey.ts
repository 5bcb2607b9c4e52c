import { z } from 'zod';
import { pick, randomInt, type Random } from '../random.js';
import { JOURNEY_CHANNELS } from './channels.js';
import { branchesOf, journeySchema, type Journey, type JourneyInput, type NodeType } from './definition.js';
import { journeyNodeSchema } from './nodes.js';

/**
 * Random journeys for property tests and fuzzing: every node kind, every branch wired, edges that go
 * forward except from delays and waits (so every cycle waits), unreachable nodes pruned. The result is
 * valid by construction; the property test checks that against `validateJourney` too.
 */

/** Event names random journeys wait for, exit on and convert on. */
export const RANDOM_EVENTS = ['Order Completed', 'Ping', 'Unsubscribed', 'Product Viewed'] as const;

// Weighted towards waits and sends, so that runs live long enough to meet caps, quiet hours and stale timers.
const KINDS: readonly NodeType[] = [
  ...(['delay', 'delay', 'delay', 'wait_for_event', 'wait_for_event', 'wait_for_event'] as const),
  ...(['send', 'send', 'send', 'send', 'condition', 'audience_split', 'random_split'] as const),
  ...(['update_profile', 'webhook', 'go_to_journey', 'exit'] as const),
];

const chance = (rng: Random, p: number): boolean => rng.next() < p;
const duration = (rng: Random) => ({
  amount: randomInt(rng, 0, 48),
  unit: pick(rng, ['minutes', 'hours'] as const),
});
const test = (rng: Random) =>
  pick(rng, [
    { condition: { type: 'trait', trait: 'visits', op: 'gte', value: randomInt(rng, 0, 4) } },
    { trigger: [{ property: 'cartId', op: 'equals', value: 'c1' }] },
    { condition: { type: 'reachable', channel: 'sms' } },
    { context: [{ property: 'recs.score', op: 'gt', value: 0.5 }] },
  ]);

function randomNode(rng: Random, id: string, type: NodeType, keyed: boolean): Record<string, unknown> {
  switch (type) {
    case 'entry':
    case 'exit':
      return { id, type };
    case 'delay':
      return {
        id,
        type,
        delay: pick(rng, [
          { kind: 'duration', duration: duration(rng) },
          {
            kind: 'time_of_day',
            at: pick(rng, ['09:00', '02:30', '23:45']),
            weekdays: chance(rng, 0.5) ? ['mon', 'sat'] : undefined,
          },
          {
            kind: 'date',
            source: 'trait',
            path: 'renewsAt',
            offset: { amount: randomInt(rng, -3, 3), unit: 'days' },
            at: '10:00',
          },
        ]),
      };
    case 'wait_for_event':
      return {
        id,
        type,
        event: pick(rng, RANDOM_EVENTS),
        matchRunKey: keyed && chance(rng, 0.5),
        timeout: duration(rng),
      };
    case 'condition':
      return { id, type, test: test(rng) };
    case 'audience_split':
      return {
        id,
        type,
        audiences: [
          { key: 'first', test: test(rng) },
          { key: 'second', test: test(rng) },
        ],
      };
    case 'random_split':
      return {
        id,
        type,
        variants: [
          { key: 'a', weight: randomInt(rng, 1, 3) },
          { key: 'b', weight: 1 },
        ],
        holdout: randomInt(rng, 0, 1),
      };
    case 'send':
      return {
        id,
        type,
        template: `t-${id}`,
        channel: pick(rng, ['best', 'log', ['push', 'sms', 'email'], pick(rng, JOURNEY_CHANNELS)]),
        category: chance(rng, 0.8) ? 'marketing' : 'transactional',
        onCap: chance(rng, 0.7) ? 'wait' : 'skip',
        maxCapWait: { amount: randomInt(rng, 1, 96), unit: 'hours' },
      };
    case 'update_profile':
      return { id, type, set: { seen: true }, increment: { visits: 1 } };
    case 'webhook':
      return {
        id,
        type,
        url: 'https://example.test/hook',
        responseKey: chance(rng, 0.6) ? 'recs' : undefined,
        timeout: duration(rng),
      };
    case 'go_to_journey':
      return { id, type, journeyId: 'other' };
  }
}

/**
 * A random valid journey with at most 16 nodes.
 * @example generateJourney(createRandom(7))
 */
export function generateJourney(rng: Random): Journey {
  const keyed = chance(rng, 0.5);
  const count = randomInt(rng, 4, 16);
  const raw = Array.from({ length: count }, (_, i) =>
    randomNode(rng, `n${i}`, i === 0 ? 'entry' : i === count - 1 ? 'exit' : pick(rng, KINDS), keyed),
  );
  const typed = z.array(journeyNodeSchema).parse(raw);
  const edges: { from: string; to: string; branch: string }[] = [];
  typed.forEach((node, i) => {
    const waits = node.type === 'delay' || node.type === 'wait_for_event';
    for (const branch of branchesOf(node)) {
      const back = waits && i > 1 && chance(rng, 0.4);
      const to = back ? randomInt(rng, 1, i) : randomInt(rng, i + 1, count - 1);
      edges.push({ from: node.id, to: `n${to}`, branch });
    }
  });
  const reached = new Set(['n0']);
  for (let grew = true; grew;) {
    grew = false;
    for (const e of edges)
      if (reached.has(e.from) && !reached.has(e.to)) grew = reached.add(e.to) !== undefined;
  }
  const input: JourneyInput = {
    id: 'random',
    name: 'Random',
    trigger: { type: 'event', event: 'Cart Abandoned' },
    ...(keyed ? { runKey: { property: 'cartId' } } : {}),
    goal: {
      matchRunKey: keyed && chance(rng, 0.5),
      endRun: chance(rng, 0.3),
      withinDays: randomInt(rng, 1, 7),
    },
    exitRules: chance(rng, 0.5)
      ? [
          { kind: 'event', event: 'Unsubscribed' },
          { kind: 'segment', segmentId: 'vip', member: true },
        ]
      : [],
    nodes: typed.filter((n) => reached.has(n.id)),
    edges: edges.filter((e) => reached.has(e.from)),
  };
  return journeySchema.parse(input);
}
