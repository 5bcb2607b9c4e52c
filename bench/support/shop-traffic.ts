/**
 * A day of shop traffic for the pipeline benchmark: `events` messages from `profiles` people, with the
 * people's visits interleaved as real traffic is. Every person's script depends only on the seed and
 * the person's index, so the verification can replay one person without replaying the whole stream.
 *
 * - visitors browse anonymously and never sign in;
 * - customers browse anonymously, sign in (identify with userId + anonymousId), then shop;
 * - returning customers do that on one browser, then browse anonymously on a second one and sign in
 *   there too: the second browser's anonymous profile merges into the known one.
 */
import { createRandom, hashString, type Random } from '../../src/core/random.js';
import {
  createMessagePool,
  createTraits,
  createWebDevice,
  type PersonTraits,
  type ShopAction,
  type WebDevice,
} from './shop-messages.js';

export type PersonKind = 'visitor' | 'customer' | 'returning';

export interface TrafficOptions {
  readonly events: number;
  readonly profiles: number;
  readonly seed: number;
}

interface Step {
  readonly action: ShopAction;
  readonly device: WebDevice;
  /** Set once the person has signed in on this device. */
  readonly userId?: string | undefined;
}

/** A person's whole script, as the verification needs it. */
export interface PersonPlan {
  readonly index: number;
  readonly kind: PersonKind;
  readonly userId?: string | undefined;
  readonly traits: PersonTraits;
  readonly devices: readonly WebDevice[];
  readonly steps: readonly Step[];
  readonly messageIds: readonly string[];
}

const BROWSE: readonly ShopAction[] = [
  'Page Viewed',
  'Product Viewed',
  'Product Viewed',
  'Products Searched',
];
const SHOP: readonly ShopAction[] = [
  'Product Viewed',
  'Product Added',
  'Checkout Started',
  'Order Completed',
];
/** Jan 1 2026, 00:00 UTC: event times start here and advance with the stream. */
const DAY_START = Date.UTC(2026, 0, 1);

const personSeed = (seed: number, index: number): number => hashString(`${seed}:person:${index}`);
const messageIdOf = (index: number, step: number): string =>
  `bench-${index.toString(36).padStart(5, '0')}-${step.toString(36).padStart(3, '0')}`;

/**
 * How many events person `index` sends. People are paired so that every pair sends twice the mean:
 * sizes vary from 1 to 2×mean−1, and the total is exactly `events`.
 */
export function budgetOf(options: TrafficOptions, index: number): number {
  const mean = Math.floor(options.events / options.profiles);
  const extra = index < options.events % options.profiles ? 1 : 0;
  const pair = Math.floor(index / 2);
  const isLastOdd = options.profiles % 2 === 1 && index === options.profiles - 1;
  if (mean < 2 || isLastOdd) return mean + extra;
  const spread = createRandom(hashString(`${options.seed}:pair:${pair}`)).next();
  const delta = Math.floor(spread * (mean - 1));
  return (index % 2 === 0 ? mean + delta : mean - delta) + extra;
}

function kindOf(rng: Random, budget: number): PersonKind {
  const r = rng.next();
  if (budget >= 4) return r < 0.4 ? 'visitor' : r < 0.75 ? 'customer' : 'returning';
  if (budget >= 2) return r < 0.5 ? 'visitor' : 'customer';
  return 'visitor';
}

const fill = (rng: Random, pool: readonly ShopAction[], n: number): ShopAction[] =>
  Array.from({ length: Math.max(0, n) }, () => pool[Math.floor(rng.next() * pool.length)]!);

/** The script of one person; the same for the same seed and index, whatever else is generated. */
export function planPerson(options: TrafficOptions, index: number): PersonPlan {
  const rng = createRandom(personSeed(options.seed, index));
  const budget = budgetOf(options, index);
  const kind = kindOf(rng, budget);
  const traits = createTraits(rng, index);
  const first = createWebDevice(rng);
  const userId = kind === 'visitor' ? undefined : `user-${index}`;
  const anonymous = (device: WebDevice, n: number): Step[] =>
    fill(rng, BROWSE, n).map((action) => ({ action, device }));
  const known = (device: WebDevice, n: number): Step[] =>
    fill(rng, SHOP, n).map((action) => ({ action, device, userId }));
  const signIn = (device: WebDevice): Step => ({ action: 'identify', device, userId });
  let steps: Step[];
  let devices = [first];
  if (kind === 'visitor') steps = anonymous(first, budget);
  else if (kind === 'customer') {
    const browsing = Math.max(1, Math.round((budget - 1) * 0.4));
    steps = [...anonymous(first, browsing), signIn(first), ...known(first, budget - 1 - browsing)];
  } else {
    const second = createWebDevice(rng);
    devices = [first, second];
    const rest = budget - 2;
    const browseFirst = Math.max(1, Math.floor(rest * 0.3));
    const browseSecond = Math.max(1, Math.floor((rest - browseFirst) * 0.4));
    const shopping = rest - browseFirst - browseSecond;
    const shopFirst = Math.floor(shopping / 2);
    steps = [
      ...anonymous(first, browseFirst),
      signIn(first),
      ...known(first, shopFirst),
      ...anonymous(second, browseSecond),
      signIn(second),
      ...known(second, shopping - shopFirst),
    ];
  }
  const messageIds = steps.map((_, step) => messageIdOf(index, step));
  return { index, kind, userId, traits, devices, steps, messageIds };
}

interface Cursor {
  readonly plan: PersonPlan;
  readonly rng: Random;
  step: number;
}

/**
 * The interleaved stream. `nextBatch(n)` returns the JSON body of a `/v1/batch` request with up to
 * `n` messages, or undefined once every event has been handed out.
 * @example const traffic = createShopTraffic({ events: 1000, profiles: 100, seed: 1 }); traffic.nextBatch(100);
 */
export function createShopTraffic(options: TrafficOptions & { readonly activePeople?: number }) {
  const rng = createRandom(options.seed);
  const pool = createMessagePool(createRandom(options.seed ^ 0x2545f491));
  const active: Cursor[] = [];
  let nextPerson = 0;
  let emitted = 0;
  const cursorFor = (index: number): Cursor => ({
    plan: planPerson(options, index),
    rng: createRandom(personSeed(options.seed, index) ^ 0x5bd1e995),
    step: 0,
  });
  const window = Math.min(options.activePeople ?? 2000, options.profiles);
  while (nextPerson < window) active.push(cursorFor(nextPerson++));

  const nextMessage = (): string | undefined => {
    while (active.length > 0) {
      const slot = Math.floor(rng.next() * active.length);
      const cursor = active[slot]!;
      const step = cursor.plan.steps[cursor.step];
      if (step === undefined) {
        // This person is done: the next one arrives in their place, or the slot closes.
        if (nextPerson < options.profiles) active[slot] = cursorFor(nextPerson++);
        else {
          active[slot] = active[active.length - 1]!;
          active.pop();
        }
        continue;
      }
      const ids = {
        messageId: cursor.plan.messageIds[cursor.step]!,
        device: step.device,
        userId: step.userId,
        timestamp: new Date(DAY_START + emitted * 50).toISOString(),
      };
      cursor.step++;
      emitted++;
      return pool.render(cursor.rng, step.action, ids, cursor.plan.traits);
    }
    return undefined;
  };

  return {
    nextBatch(size: number): string | undefined {
      const messages: string[] = [];
      while (messages.length < size) {
        const message = nextMessage();
        if (message === undefined) break;
        messages.push(message);
      }
      return messages.length === 0 ? undefined : `{"batch":[${messages.join(',')}]}`;
    },
    get emitted(): number {
      return emitted;
    },
  };
}
