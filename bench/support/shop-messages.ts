/**
 * Realistic Segment messages from a small web shop, shaped as analytics.js sends them: `properties`,
 * and a `context` with library, page, userAgent, ip and locale. A track message is 500–800 bytes of
 * JSON. Deterministic: everything comes from the `Random` passed in.
 *
 * Serialising 1,000,000 nested objects would make the load generator, not the server, the bottleneck,
 * so the part of a message that does not name the person (event, properties, context) is rendered once
 * into a pool of variants, and a message is its ids, a pooled variant and its timestamp joined as text.
 */
import { pick, randomInt, type Random } from '../../src/core/random.js';

export const SHOP_ORIGIN = 'https://shop.example.com';

interface Product {
  readonly product_id: string;
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly brand: string;
  readonly price: number;
}

const CATEGORIES = ['Shoes', 'Apparel', 'Accessories', 'Home', 'Beauty'] as const;
const BRANDS = ['Northwind', 'Acme', 'Fabrikam', 'Contoso', 'Tailspin', 'Litware'] as const;
const NOUNS = [
  'Runner',
  'Trail Shoe',
  'Hoodie',
  'Rain Jacket',
  'Tote Bag',
  'Desk Lamp',
  'Face Serum',
  'Beanie',
];

const PRODUCTS: readonly Product[] = Array.from({ length: 48 }, (_, i) => ({
  product_id: `prod_${(100_000 + i * 7919).toString(36)}`,
  sku: `SKU-${String(40_000 + i * 37).padStart(6, '0')}`,
  name: `${BRANDS[i % BRANDS.length]!} ${NOUNS[i % NOUNS.length]!} ${1 + (i % 5)}`,
  category: CATEGORIES[i % CATEGORIES.length]!,
  brand: BRANDS[i % BRANDS.length]!,
  price: Math.round((9.99 + ((i * 37) % 180)) * 100) / 100,
}));

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0',
] as const;
const LOCALES = ['en-US', 'en-GB', 'de-DE', 'fr-FR', 'tr-TR'] as const;
const REFERRERS = ['https://www.google.com/', 'https://www.instagram.com/', '', 'https://duckduckgo.com/'];
const SEARCHES = ['running shoes', 'rain jacket', 'lamp', 'gift for her', 'serum', 'black hoodie'];
const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Edsger', 'Frances'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Allen'];

/** A browser setup many people share (user agent, network, locale); 64 of them, like a small town. */
interface DeviceProfile {
  readonly userAgent: string;
  readonly ip: string;
  readonly locale: string;
}

const DEVICE_PROFILES: readonly DeviceProfile[] = Array.from({ length: 64 }, (_, i) => ({
  userAgent: USER_AGENTS[i % USER_AGENTS.length]!,
  // RFC 5737 documentation ranges: realistic-looking, never a real person's address.
  ip: `${['192.0.2', '198.51.100', '203.0.113'][i % 3]!}.${10 + ((i * 37) % 240)}`,
  locale: LOCALES[Math.floor(i / USER_AGENTS.length) % LOCALES.length]!,
}));

/** One browser a person uses: its own `anonymousId`, on one of the shared device setups. */
export interface WebDevice {
  readonly anonymousId: string;
  readonly profile: number;
}

/** A v4-shaped UUID from the seeded source (analytics.js uses one for `anonymousId`). */
export function seededUuid(rng: Random): string {
  let hex = '';
  for (let i = 0; i < 4; i++)
    hex += Math.floor(rng.next() * 0x1_0000_0000)
      .toString(16)
      .padStart(8, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
}

export function createWebDevice(rng: Random): WebDevice {
  return { anonymousId: seededUuid(rng), profile: Math.floor(rng.next() * DEVICE_PROFILES.length) };
}

/** What a person does in one step of a visit; `identify` is the moment they sign in. */
export type ShopAction =
  | 'Page Viewed'
  | 'Products Searched'
  | 'Product Viewed'
  | 'Product Added'
  | 'Checkout Started'
  | 'Order Completed'
  | 'identify';

/** How often each action comes in a shop's real-time traffic (the real-time and engine benchmarks). */
export const SHOP_ACTION_WEIGHTS: readonly (readonly [ShopAction, number])[] = [
  ['Product Viewed', 0.42],
  ['Products Searched', 0.18],
  ['Product Added', 0.14],
  ['Checkout Started', 0.08],
  ['Order Completed', 0.08],
  ['Page Viewed', 0.1],
];

/** An action drawn by `SHOP_ACTION_WEIGHTS`. */
export function pickShopAction(rng: Random): ShopAction {
  let r = rng.next();
  for (const [action, weight] of SHOP_ACTION_WEIGHTS) {
    if (r < weight) return action;
    r -= weight;
  }
  return 'Product Viewed';
}

type PooledAction = Exclude<ShopAction, 'identify'>;
const POOLED_ACTIONS: readonly PooledAction[] = [
  'Page Viewed',
  'Products Searched',
  'Product Viewed',
  'Product Added',
  'Checkout Started',
  'Order Completed',
];

export interface PersonTraits {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
}

export function createTraits(rng: Random, index: number): PersonTraits {
  return {
    email: `shopper.${index}@example.com`,
    firstName: pick(rng, FIRST_NAMES),
    lastName: pick(rng, LAST_NAMES),
  };
}

function context(rng: Random, device: DeviceProfile, path: string, title: string): Record<string, unknown> {
  return {
    library: { name: 'analytics.js', version: 'npm:next-1.70.0' },
    page: {
      path,
      referrer: pick(rng, REFERRERS),
      title: `${title} | Example Shop`,
      url: `${SHOP_ORIGIN}${path}`,
    },
    userAgent: device.userAgent,
    ip: device.ip,
    locale: device.locale,
  };
}

function orderProperties(rng: Random): Record<string, unknown> {
  const lines = [pick(rng, PRODUCTS), pick(rng, PRODUCTS)].map((p) => ({
    product_id: p.product_id,
    sku: p.sku,
    price: p.price,
    quantity: randomInt(rng, 1, 2),
  }));
  const revenue = Math.round(lines.reduce((s, l) => s + l.price * l.quantity, 0) * 100) / 100;
  return {
    order_id: `ord_${seededUuid(rng).slice(0, 13)}`,
    total: Math.round((revenue + 4.99) * 100) / 100,
    revenue,
    shipping: 4.99,
    currency: 'USD',
    products: lines,
  };
}

/** Everything of a message but its ids and time: type, event or name, properties, context. */
function messageBody(rng: Random, action: PooledAction, device: DeviceProfile): Record<string, unknown> {
  switch (action) {
    case 'Page Viewed': {
      const category = pick(rng, CATEGORIES);
      const path = `/c/${category.toLowerCase()}`;
      const properties = {
        name: category,
        path,
        url: `${SHOP_ORIGIN}${path}`,
        title: `${category} | Example Shop`,
      };
      return { type: 'page', name: category, properties, context: context(rng, device, path, category) };
    }
    case 'Products Searched': {
      const query = pick(rng, SEARCHES);
      const path = `/search?q=${encodeURIComponent(query)}`;
      const properties = { query, results: randomInt(rng, 0, 120), sort: 'relevance' };
      return { type: 'track', event: action, properties, context: context(rng, device, path, 'Search') };
    }
    case 'Product Viewed':
    case 'Product Added': {
      const product = pick(rng, PRODUCTS);
      const quantity = action === 'Product Added' ? randomInt(rng, 1, 3) : 1;
      const properties = {
        ...product,
        currency: 'USD',
        quantity,
        url: `${SHOP_ORIGIN}/p/${product.product_id}`,
      };
      const ctx = context(rng, device, `/p/${product.product_id}`, product.name);
      return { type: 'track', event: action, properties, context: ctx };
    }
    case 'Checkout Started':
    case 'Order Completed': {
      const path = action === 'Order Completed' ? '/checkout/thank-you' : '/checkout';
      return {
        type: 'track',
        event: action,
        properties: orderProperties(rng),
        context: context(rng, device, path, 'Checkout'),
      };
    }
  }
}

/** The ids that make a message someone's, and when it happened. */
export interface MessageIds {
  readonly messageId: string;
  readonly device: WebDevice;
  readonly userId?: string | undefined;
  readonly timestamp: string;
}

const head = (ids: MessageIds): string =>
  `{"messageId":"${ids.messageId}","anonymousId":"${ids.device.anonymousId}"` +
  (ids.userId === undefined ? '' : `,"userId":${JSON.stringify(ids.userId)}`);

/**
 * Renders Segment messages as JSON text from pre-rendered variants (`variants` per action and device
 * setup), so that a message costs a few string joins. Ids are generated by us and need no escaping.
 * @example const pool = createMessagePool(createRandom(1)); pool.render(rng, 'Product Viewed', ids);
 */
export function createMessagePool(rng: Random, variants = 8) {
  const tails = new Map<PooledAction, string[][]>();
  for (const action of POOLED_ACTIONS) {
    tails.set(
      action,
      DEVICE_PROFILES.map((device) =>
        Array.from({ length: variants }, () => JSON.stringify(messageBody(rng, action, device)).slice(1, -1)),
      ),
    );
  }
  return {
    render(choice: Random, action: ShopAction, ids: MessageIds, traits?: PersonTraits): string {
      if (action === 'identify') {
        const ctx = context(choice, DEVICE_PROFILES[ids.device.profile]!, '/account/login', 'Sign in');
        const body = JSON.stringify({ type: 'identify', traits, context: ctx }).slice(1, -1);
        return `${head(ids)},${body},"timestamp":"${ids.timestamp}"}`;
      }
      const forDevice = tails.get(action)![ids.device.profile]!;
      const tail = forDevice[Math.floor(choice.next() * forDevice.length)]!;
      return `${head(ids)},${tail},"timestamp":"${ids.timestamp}"}`;
    },
  };
}

export type MessagePool = ReturnType<typeof createMessagePool>;
