import { DEMO_CATEGORIES, DEMO_ORIGIN, DEMO_PRODUCTS, PRODUCTS_BY_CATEGORY } from './catalog.js';
import type { DemoCategory, DemoCurrency, ProductProperties } from './demo-types.js';
import { priceCents } from './pricing.js';

/**
 * Catalog products as event properties, priced per currency. The common shapes (one of a product,
 * a category listing) are built once and shared by every message that carries them, which keeps
 * generation allocation-light; messages are read-only data.
 */

const CURRENCIES: readonly DemoCurrency[] = ['USD', 'EUR', 'GBP', 'TRY'];

type ViewedProduct = ProductProperties & { readonly currency: DemoCurrency };

function build(index: number, currency: DemoCurrency, quantity: number): ProductProperties {
  const p = DEMO_PRODUCTS[index];
  if (!p) throw new RangeError(`no product at index ${index}`);
  return {
    product_id: p.product_id,
    sku: p.sku,
    name: p.name,
    category: p.category,
    brand: p.brand,
    price: priceCents(index, currency) / 100,
    quantity,
    url: p.url,
    image_url: p.image_url,
  };
}

const perCurrency = <T>(f: (currency: DemoCurrency) => T): Readonly<Record<DemoCurrency, T>> =>
  Object.fromEntries(CURRENCIES.map((c) => [c, f(c)])) as Record<DemoCurrency, T>;

const SINGLE = perCurrency((c) => DEMO_PRODUCTS.map((_p, i) => build(i, c, 1)));
const VIEWED = perCurrency((c) =>
  DEMO_PRODUCTS.map((_p, i): ViewedProduct => ({ ...build(i, c, 1), currency: c })),
);
const perCategory = <T>(f: (category: DemoCategory) => T): Readonly<Record<DemoCategory, T>> =>
  Object.fromEntries(DEMO_CATEGORIES.map((c) => [c, f(c)])) as Record<DemoCategory, T>;
const LISTED = perCurrency((c) =>
  perCategory((category): readonly ProductProperties[] =>
    PRODUCTS_BY_CATEGORY[category].map((index, i) => ({ ...build(index, c, 1), position: i + 1 })),
  ),
);

/** The site path of catalog product `index` (`/products/…`). */
export const productPath = (index: number): string =>
  (DEMO_PRODUCTS[index]?.url ?? '').slice(DEMO_ORIGIN.length);

/**
 * `quantity` of catalog product `index`, priced in `currency`.
 * @example productProperties(0, 'EUR', 2).price; // 128
 */
export function productProperties(
  index: number,
  currency: DemoCurrency,
  quantity: number,
): ProductProperties {
  const shared = SINGLE[currency][index];
  if (!shared) throw new RangeError(`no product at index ${index}`);
  return quantity === 1 ? shared : build(index, currency, quantity);
}

/**
 * Properties of a Product Viewed event.
 * @example viewedProduct(3, 'USD').currency; // 'USD'
 */
export function viewedProduct(index: number, currency: DemoCurrency): ViewedProduct {
  const shared = VIEWED[currency][index];
  if (!shared) throw new RangeError(`no product at index ${index}`);
  return shared;
}

/**
 * A category page's products, with their positions, for Product List Viewed.
 * @example listedProducts('Shoes', 'GBP').length; // 8
 */
export const listedProducts = (
  category: DemoCategory,
  currency: DemoCurrency,
): readonly ProductProperties[] => LISTED[currency][category];

/**
 * Search results: the given products with their positions in the results.
 * @example searchResults([0, 3], 'USD')[1]?.position; // 2
 */
export const searchResults = (indexes: readonly number[], currency: DemoCurrency): ProductProperties[] =>
  indexes.map((index, i) => ({ ...productProperties(index, currency, 1), position: i + 1 }));
