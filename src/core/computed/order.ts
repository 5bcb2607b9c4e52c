/**
 * Reading an `Order Completed` event as the Segment e-commerce spec defines it
 * (https://segment.com/docs/connections/spec/ecommerce/v2/#order-completed): `revenue` (or `total`),
 * `currency` (ISO 4217, USD when absent), and `products[]` with `category`, `price` and `quantity`.
 */

/** The event the orders traits are computed from. */
export const ORDER_COMPLETED = 'Order Completed';

/** One order, as much of it as the computed traits need. */
export interface Order {
  /** `revenue`, else `total`, else Σ price × quantity of `products`; 0 when none is given. */
  readonly amount: number;
  /** Upper-case ISO 4217 code; `USD` when the event has none, as the spec says. */
  readonly currency: string;
  /** Quantity bought per product category (a product without a quantity counts 1). */
  readonly categories: Readonly<Record<string, number>>;
}

/** A finite number, or a numeric string as some SDKs send (`"12.50"`); else undefined. */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

function quantityOf(value: unknown): number {
  const n = toNumber(value);
  return n !== undefined && n > 0 ? n : 1;
}

function categoryOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 200);
}

/**
 * The order an `Order Completed` event's properties describe. When `products` carry no category, a
 * top-level `category` (with `quantity`) is used, so flat events such as imported order logs count too.
 * @example readOrder({ revenue: 30, products: [{ category: 'Shoes', price: 10, quantity: 3 }] })
 * // { amount: 30, currency: 'USD', categories: { Shoes: 3 } }
 */
export function readOrder(properties: Readonly<Record<string, unknown>> | undefined): Order {
  const props = properties ?? {};
  const products = Array.isArray(props.products) ? (props.products as unknown[]) : [];
  const categories: Record<string, number> = {};
  let productsTotal = 0;
  for (const item of products) {
    if (typeof item !== 'object' || item === null) continue;
    const product = item as Record<string, unknown>;
    const quantity = quantityOf(product.quantity);
    productsTotal += (toNumber(product.price) ?? 0) * quantity;
    const category = categoryOf(product.category);
    if (category !== undefined) categories[category] = (categories[category] ?? 0) + quantity;
  }
  const flat = categoryOf(props.category);
  if (Object.keys(categories).length === 0 && flat !== undefined)
    categories[flat] = quantityOf(props.quantity);
  const amount = toNumber(props.revenue) ?? toNumber(props.total) ?? productsTotal;
  const currency =
    typeof props.currency === 'string' && /^[A-Za-z]{3}$/.test(props.currency)
      ? props.currency.toUpperCase()
      : 'USD';
  return { amount, currency, categories };
}
