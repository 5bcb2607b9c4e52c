import type { Order } from './order.js';

/**
 * The orders traits of one person, kept in `profile.computed` under these names (so segment
 * conditions and SQL read them directly). `categoryCounts` is the state that keeps
 * `favoriteCategory` incremental; `averageOrderValue` is stored (not only derived) so that SQL can
 * compare it. Days since the last order is never stored: it is derived from `lastOrderAt` at `now`.
 */
export interface OrderTraits {
  readonly ordersCount: number;
  /** Sum of order amounts, as sent (no currency conversion: a shop reports in one currency). */
  readonly revenue: number;
  readonly averageOrderValue: number;
  /** Epoch ms of the earliest and latest order (event time, so late events never regress them). */
  readonly firstOrderAt: number;
  readonly lastOrderAt: number;
  /** Currency of the latest order. */
  readonly currency: string;
  /** Quantity bought per category. */
  readonly categoryCounts: Readonly<Record<string, number>>;
  /** The category bought in the largest quantity; ties go to the alphabetically first. */
  readonly favoriteCategory?: string;
}

/** Money sums lose float dust (29.33 + 29.73 = 59.059999…), kept to a millionth. */
const round6 = (x: number): number => Math.round(x * 1e6) / 1e6;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The most bought category; ties go to the alphabetically first, so merges and replays agree. */
export function favoriteOf(counts: Readonly<Record<string, number>>): string | undefined {
  let best: string | undefined;
  let bestCount = -Infinity;
  for (const [category, count] of Object.entries(counts)) {
    if (count > bestCount || (count === bestCount && best !== undefined && category < best)) {
      best = category;
      bestCount = count;
    }
  }
  return best;
}

function withDerived(t: Omit<OrderTraits, 'averageOrderValue' | 'favoriteCategory'>): OrderTraits {
  const favorite = favoriteOf(t.categoryCounts);
  return {
    ...t,
    revenue: round6(t.revenue),
    averageOrderValue: t.ordersCount > 0 ? round6(t.revenue / t.ordersCount) : 0,
    ...(favorite !== undefined ? { favoriteCategory: favorite } : {}),
  };
}

/** The orders traits held in a computed map, or undefined when there are none (or they are malformed). */
export function readOrderTraits(
  computed: Readonly<Record<string, unknown>> | undefined,
): OrderTraits | undefined {
  if (!computed) return undefined;
  const { ordersCount, revenue, firstOrderAt, lastOrderAt, currency, categoryCounts } = computed;
  if (!isNumber(ordersCount) || ordersCount < 1 || !isNumber(revenue)) return undefined;
  if (!isNumber(firstOrderAt) || !isNumber(lastOrderAt)) return undefined;
  const counts: Record<string, number> = {};
  if (typeof categoryCounts === 'object' && categoryCounts !== null) {
    for (const [k, v] of Object.entries(categoryCounts)) if (isNumber(v)) counts[k] = v;
  }
  return withDerived({
    ordersCount,
    revenue,
    firstOrderAt,
    lastOrderAt,
    currency: typeof currency === 'string' ? currency : 'USD',
    categoryCounts: counts,
  });
}

/**
 * Adds one order placed at `at`. Commutative in everything but `currency` (the latest order's), so
 * events arriving out of order give the same traits; an older order never moves `lastOrderAt` back.
 * @example addOrder(undefined, { amount: 20, currency: 'EUR', categories: { Shoes: 1 } }, 1700000000000)
 */
export function addOrder(traits: OrderTraits | undefined, order: Order, at: number): OrderTraits {
  if (!traits) {
    return withDerived({
      ordersCount: 1,
      revenue: order.amount,
      firstOrderAt: at,
      lastOrderAt: at,
      currency: order.currency,
      categoryCounts: { ...order.categories },
    });
  }
  const counts: Record<string, number> = { ...traits.categoryCounts };
  for (const [k, v] of Object.entries(order.categories)) counts[k] = (counts[k] ?? 0) + v;
  return withDerived({
    ordersCount: traits.ordersCount + 1,
    revenue: traits.revenue + order.amount,
    firstOrderAt: Math.min(traits.firstOrderAt, at),
    lastOrderAt: Math.max(traits.lastOrderAt, at),
    currency: at >= traits.lastOrderAt ? order.currency : traits.currency,
    categoryCounts: counts,
  });
}

/**
 * The traits of two profiles becoming one person: counts and revenue add up, the first order is the
 * earlier, the last the later, category counts add up.
 */
export function mergeOrderTraits(
  a: OrderTraits | undefined,
  b: OrderTraits | undefined,
): OrderTraits | undefined {
  if (!a || !b) return a ?? b;
  const counts: Record<string, number> = { ...a.categoryCounts };
  for (const [k, v] of Object.entries(b.categoryCounts)) counts[k] = (counts[k] ?? 0) + v;
  return withDerived({
    ordersCount: a.ordersCount + b.ordersCount,
    revenue: a.revenue + b.revenue,
    firstOrderAt: Math.min(a.firstOrderAt, b.firstOrderAt),
    lastOrderAt: Math.max(a.lastOrderAt, b.lastOrderAt),
    currency: b.lastOrderAt > a.lastOrderAt ? b.currency : a.currency,
    categoryCounts: counts,
  });
}
