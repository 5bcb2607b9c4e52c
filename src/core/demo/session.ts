import type { Random } from '../random.js';
import { pick } from '../random.js';
import {
  DEMO_CATEGORIES,
  DEMO_PRODUCTS,
  DEMO_STORE_NAME,
  PRODUCTS_BY_CATEGORY,
  SEARCH_QUERIES,
  slugify,
} from './catalog.js';
import type { DemoCategory } from './demo-types.js';
import { chance, poisson } from './sampling.js';
import type { ShopperState } from './shopper.js';
import { cartProducts } from './shopper.js';
import {
  listedProducts,
  productPath,
  productProperties,
  searchResults,
  viewedProduct,
} from './product-properties.js';
import type { VisitorLog } from './visitor-log.js';

/**
 * The browsing half of a session: landing, category and search pages, product views, the cart.
 * Page names double as app screen names, so web and app journeys read alike.
 */

const title = (s: string): string => `${s} | ${DEMO_STORE_NAME}`;

/** Show the home page (web) or screen (app). */
export const viewHome = (log: VisitorLog): void =>
  log.view({ name: 'Home', path: '/', title: DEMO_STORE_NAME, properties: {} });

function viewProduct(log: VisitorLog, shopper: ShopperState, index: number): void {
  const p = DEMO_PRODUCTS[index];
  if (!p) return;
  const properties = { product_id: p.product_id, name: p.name };
  log.view({ name: 'Product', path: productPath(index), title: title(p.name), properties });
  log.track('Product Viewed', viewedProduct(index, shopper.currency));
}

function viewCategory(log: VisitorLog, shopper: ShopperState, category: DemoCategory): void {
  const slug = slugify(category);
  log.view({
    name: 'Category',
    path: `/collections/${slug}`,
    title: title(category),
    properties: { category },
  });
  const products = listedProducts(category, shopper.currency);
  log.track('Product List Viewed', { list_id: slug, category, products });
}

function search(log: VisitorLog, rng: Random, shopper: ShopperState, category: DemoCategory): void {
  const query = pick(rng, SEARCH_QUERIES[category]);
  log.track('Products Searched', { query });
  const search = `?q=${encodeURIComponent(query).replace(/%20/g, '+')}`;
  log.view({
    name: 'Search Results',
    path: '/search',
    search,
    title: title(`Search: ${query}`),
    properties: { query },
  });
  const hits = PRODUCTS_BY_CATEGORY[category].filter(() => chance(rng, 0.5));
  log.track('Product List Viewed', {
    list_id: 'search_results',
    products: searchResults(hits, shopper.currency),
  });
}

/**
 * Look around: a category page or a search, then a few product pages.
 * Returns the catalog indexes viewed, most interesting last.
 */
export function browse(log: VisitorLog, rng: Random, shopper: ShopperState): number[] {
  const category = chance(rng, 0.6) ? shopper.persona.favorite : pick(rng, DEMO_CATEGORIES);
  if (chance(rng, 0.22)) search(log, rng, shopper, category);
  else viewCategory(log, shopper, category);
  const viewed: number[] = [];
  const count = Math.min(5, 1 + poisson(rng, 1.2));
  for (let i = 0; i < count && log.isOpen; i++) {
    const from = chance(rng, 0.85) ? category : pick(rng, DEMO_CATEGORIES);
    const index = pick(rng, PRODUCTS_BY_CATEGORY[from]);
    viewProduct(log, shopper, index);
    viewed.push(index);
  }
  return viewed;
}

/**
 * Put some of the viewed products in the cart (the open one, or a new one), maybe take one out
 * again, and look at the cart. The cart stays open until an order completes it.
 */
export function fillCart(
  log: VisitorLog,
  rng: Random,
  shopper: ShopperState,
  viewed: readonly number[],
): void {
  const { persona, currency } = shopper;
  if (!shopper.cart) {
    shopper.carts += 1;
    shopper.cart = { id: `cart_${persona.index.toString(36)}_${shopper.carts}`, lines: [] };
  }
  const cart = shopper.cart;
  const adds = Math.min(viewed.length, chance(rng, 0.7) ? 1 : chance(rng, 0.8) ? 2 : 3);
  for (let i = 0; i < adds; i++) {
    const index = viewed[viewed.length - 1 - i];
    if (index === undefined) break;
    const quantity = chance(rng, 0.85) ? 1 : chance(rng, 0.8) ? 2 : 3;
    const line = cart.lines.find((l) => l.index === index);
    if (line) line.quantity += quantity;
    else cart.lines.push({ index, quantity });
    log.track('Product Added', {
      ...productProperties(index, currency, quantity),
      cart_id: cart.id,
      currency,
    });
  }
  const removed = cart.lines.length > 1 && chance(rng, 0.15) ? cart.lines.shift() : undefined;
  if (removed) {
    log.wait(5, 40);
    const product = productProperties(removed.index, currency, removed.quantity);
    log.track('Product Removed', { ...product, cart_id: cart.id, currency });
  }
  log.view({ name: 'Cart', path: '/cart', title: title('Your cart'), properties: { cart_id: cart.id } });
  log.track('Cart Viewed', { cart_id: cart.id, currency, products: cartProducts(cart, currency) });
}
