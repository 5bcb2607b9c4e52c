import type { DemoCurrency, DemoMessage, DemoMessageType, DemoShop } from './demo-types.js';

/** Counts that describe a generated demo shop, for a log line when the demo loads. */
export interface DemoShopSummary {
  readonly products: number;
  /** People seen: known customers plus anonymous-only visitors. */
  readonly customers: number;
  /** Distinct `userId`s. */
  readonly known: number;
  /** Visitors whose `anonymousId` was never tied to a `userId`. */
  readonly anonymousOnly: number;
  readonly orders: number;
  readonly refunds: number;
  /** Σ `revenue` of Order Completed, per currency (amounts in different currencies do not add up). */
  readonly revenue: Readonly<Partial<Record<DemoCurrency, number>>>;
  readonly messages: number;
  readonly messagesByType: Readonly<Record<DemoMessageType, number>>;
}

/**
 * Count a demo shop's people, orders, revenue and messages.
 * @example summarizeDemoShop(generateDemoShop({ seed: 1, end })).orders; // 301
 */
export function summarizeDemoShop(shop: Pick<DemoShop, 'products' | 'messages'>): DemoShopSummary {
  const messagesByType: Record<DemoMessageType, number> = {
    identify: 0,
    track: 0,
    page: 0,
    screen: 0,
    alias: 0,
  };
  const users = new Set<string>();
  const linked = new Set<string>();
  const anonymous = new Set<string>();
  const revenueCents: Partial<Record<DemoCurrency, number>> = {};
  let orders = 0;
  let refunds = 0;
  for (const m of shop.messages) {
    messagesByType[m.type] += 1;
    noteIds(m, { users, linked, anonymous });
    if (m.type !== 'track') continue;
    if (m.event === 'Order Completed') {
      orders += 1;
      const { currency, revenue } = m.properties;
      revenueCents[currency] = (revenueCents[currency] ?? 0) + Math.round(revenue * 100);
    } else if (m.event === 'Order Refunded') refunds += 1;
  }
  let anonymousOnly = 0;
  for (const id of anonymous) if (!linked.has(id)) anonymousOnly += 1;
  const revenue: Partial<Record<DemoCurrency, number>> = {};
  for (const [currency, cents] of Object.entries(revenueCents))
    revenue[currency as DemoCurrency] = cents / 100;
  return {
    products: shop.products.length,
    customers: users.size + anonymousOnly,
    known: users.size,
    anonymousOnly,
    orders,
    refunds,
    revenue,
    messages: shop.messages.length,
    messagesByType,
  };
}

function noteIds(
  m: DemoMessage,
  seen: { users: Set<string>; linked: Set<string>; anonymous: Set<string> },
): void {
  if (m.userId !== undefined) seen.users.add(m.userId);
  if (m.type === 'alias') seen.linked.add(m.previousId);
  if (m.anonymousId === undefined) return;
  if (m.userId === undefined) seen.anonymous.add(m.anonymousId);
  else seen.linked.add(m.anonymousId);
}

/**
 * One line for the console.
 * @example formatDemoSummary(summary);
 * // 'demo shop: 400 people (312 known, 88 anonymous), 40 products, 301 orders (USD 25,431.20 · EUR 9,120.55), 11,804 messages (…)'
 */
export function formatDemoSummary(s: DemoShopSummary): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const money = Object.entries(s.revenue)
    .map(
      ([currency, amount]) => `${currency} ${amount.toLocaleString('en-US', { minimumFractionDigits: 2 })}`,
    )
    .join(' · ');
  const types = Object.entries(s.messagesByType)
    .map(([type, count]) => `${n(count)} ${type}`)
    .join(', ');
  return (
    `demo shop: ${n(s.customers)} people (${n(s.known)} known, ${n(s.anonymousOnly)} anonymous), ` +
    `${s.products} products, ${n(s.orders)} orders (${money || 'no revenue'}), ${n(s.refunds)} refunds, ` +
    `${n(s.messages)} messages (${types})`
  );
}
