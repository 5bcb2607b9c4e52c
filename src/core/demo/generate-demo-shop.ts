import { MS_PER_DAY } from '../brand.js';
import { createRandom, hashString } from '../random.js';
import { DEMO_PRODUCTS } from './catalog.js';
import type { DemoMessage, DemoShop, DemoShopOptions } from './demo-types.js';
import { createPersona } from './persona.js';
import type { TimedMessage } from './visitor-log.js';
import { simulateVisitor } from './visitor.js';

/**
 * A deterministic demo shop: a catalog and several weeks of Segment traffic from its visitors.
 * Everything is drawn from `seed`; the same options always give the same messages.
 */

const DEFAULT_DAYS = 28;
const DEFAULT_CUSTOMERS = 400;

/** Each person gets their own random stream, so one person's draws never shift another's. */
const personSeed = (seed: number, index: number): number => hashString(`${seed}:${index}`);

/**
 * Each person's messages with their send time, person after person.
 * @example for (const batch of iterateTimedBatches({ seed: 1, end })) …
 */
export function* iterateTimedBatches(options: DemoShopOptions): Generator<readonly TimedMessage[]> {
  const days = options.days ?? DEFAULT_DAYS;
  const customers = options.customers ?? DEFAULT_CUSTOMERS;
  if (!(days > 0) || !Number.isInteger(customers) || customers < 0) {
    throw new RangeError(
      `demo shop needs days > 0 and a whole number of customers (got ${days}, ${customers})`,
    );
  }
  const end = options.end;
  const windowStart = end - days * MS_PER_DAY;
  const endDay = Math.floor(end / MS_PER_DAY);
  const emails = new Set<string>();
  const prefix = `demo-${options.seed}-`;
  let counter = 0;
  const env = { windowStart, end, nextMessageId: () => prefix + counter++ };
  for (let index = 0; index < customers; index++) {
    const rng = createRandom(personSeed(options.seed, index));
    const persona = createPersona(rng, { index, days, endDay, emails });
    yield simulateVisitor(rng, persona, env);
  }
}

/**
 * The demo's messages person after person, each person's in time order but not sorted overall:
 * memory stays flat, for benchmarks that send hundreds of thousands of people.
 * @example for (const m of iterateDemoMessages({ seed: 1, end: asEpochMs(now), customers: 100_000 })) send(m);
 */
export function* iterateDemoMessages(options: DemoShopOptions): Generator<DemoMessage> {
  for (const batch of iterateTimedBatches(options)) for (const { message } of batch) yield message;
}

/**
 * The demo shop with all its messages sorted by time, ready to post to `/v1/batch` in order.
 * @example
 * const shop = generateDemoShop({ seed: 1, end: asEpochMs(Date.parse('2025-06-01T00:00:00Z')) });
 * shop.messages.length; // ≈ 12 000 for 400 people over 28 days
 */
export function generateDemoShop(options: DemoShopOptions): DemoShop {
  const timed: TimedMessage[] = [];
  for (const batch of iterateTimedBatches(options)) for (const t of batch) timed.push(t);
  timed.sort((a, b) => a.at - b.at);
  return { products: DEMO_PRODUCTS, messages: timed.map((t) => t.message) };
}
