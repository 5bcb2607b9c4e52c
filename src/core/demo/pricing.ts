import { DEMO_PRODUCTS } from './catalog.js';
import type { DemoCurrency, OrderAmounts } from './demo-types.js';

/**
 * Money for the demo shop, computed in integer cents so that totals add up exactly.
 * The catalog is priced in USD; other currencies get a converted, "charm" price (81.99, 3,389.99).
 */

interface CurrencyRule {
  /** Units of the currency per USD. */
  readonly rate: number;
  /** Prices are rounded up to a multiple of this many units. */
  readonly step: number;
}

const CURRENCY_RULES: Readonly<Record<DemoCurrency, CurrencyRule>> = {
  USD: { rate: 1, step: 1 },
  EUR: { rate: 0.92, step: 1 },
  GBP: { rate: 0.79, step: 1 },
  TRY: { rate: 38, step: 10 },
};

/** Orders at or above this (in USD) ship free; below it pay a flat fee. */
const FREE_SHIPPING_USD = 75;
const FLAT_SHIPPING_USD = 5.99;

/**
 * A USD amount in another currency, in cents, keeping the `.99` or round ending of the original.
 * @example convertCents(8900, 'EUR'); // 8200  (89.00 USD → 82.00 EUR)
 */
export function convertCents(usdCents: number, currency: DemoCurrency): number {
  const { rate, step } = CURRENCY_RULES[currency];
  if (rate === 1) return usdCents;
  const charm = usdCents % 100 !== 0;
  const units = Math.ceil(((usdCents / 100) * rate) / step) * step;
  return units * 100 - (charm ? 1 : 0);
}

const PRICE_TABLE: Readonly<Record<DemoCurrency, readonly number[]>> = {
  USD: DEMO_PRODUCTS.map((p) => Math.round(p.price * 100)),
  EUR: DEMO_PRODUCTS.map((p) => convertCents(Math.round(p.price * 100), 'EUR')),
  GBP: DEMO_PRODUCTS.map((p) => convertCents(Math.round(p.price * 100), 'GBP')),
  TRY: DEMO_PRODUCTS.map((p) => convertCents(Math.round(p.price * 100), 'TRY')),
};

/**
 * The price of catalog product `index` in `currency`, in cents.
 * @example priceCents(0, 'USD'); // 13900
 */
export function priceCents(index: number, currency: DemoCurrency): number {
  const cents = PRICE_TABLE[currency][index];
  if (cents === undefined) throw new RangeError(`no product at index ${index}`);
  return cents;
}

export interface PricedLine {
  readonly priceCents: number;
  readonly quantity: number;
}

export interface OrderTerms {
  readonly currency: DemoCurrency;
  readonly taxRate: number;
  /** Coupon discount as a fraction of the merchandise value (0 without a coupon). */
  readonly couponPercent: number;
}

const toMoney = (cents: number): number => cents / 100;

/**
 * The money fields of an order, following the Segment e-commerce spec's meanings:
 * `revenue` = Σ price × quantity (merchandise value, before discount, shipping and tax);
 * `subtotal` = revenue − discount; `total` = subtotal + shipping + tax.
 * @example priceOrder([{ priceCents: 5000, quantity: 2 }], { currency: 'USD', taxRate: 0.1, couponPercent: 0.1 });
 * // { revenue: 100, discount: 10, subtotal: 90, shipping: 0, tax: 9, total: 99 }
 */
export function priceOrder(lines: readonly PricedLine[], terms: OrderTerms): OrderAmounts {
  let revenue = 0;
  for (const line of lines) revenue += line.priceCents * line.quantity;
  const discount = Math.round(revenue * terms.couponPercent);
  const subtotal = revenue - discount;
  const freeFrom = convertCents(FREE_SHIPPING_USD * 100, terms.currency);
  const shipping = subtotal >= freeFrom ? 0 : convertCents(FLAT_SHIPPING_USD * 100, terms.currency);
  const tax = Math.round(subtotal * terms.taxRate);
  return {
    revenue: toMoney(revenue),
    discount: toMoney(discount),
    subtotal: toMoney(subtotal),
    shipping: toMoney(shipping),
    tax: toMoney(tax),
    total: toMoney(subtotal + shipping + tax),
  };
}
