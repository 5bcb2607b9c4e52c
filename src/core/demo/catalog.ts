import type { DemoCategory, Product } from './demo-types.js';

/** Where the demo shop lives; a reserved `.local` name so no link ever leaves the machine. */
export const DEMO_ORIGIN = 'https://demo.orkestra.local';
export const DEMO_STORE_NAME = 'Orkestra Demo Store';

type Row = readonly [name: string, brand: string, price: number];

const ROWS: Readonly<Record<DemoCategory, readonly Row[]>> = {
  Shoes: [
    ['Trail Runner GTX', 'Northpeak', 139.0],
    ['Everyday Canvas Sneaker', 'Brisa', 64.99],
    ['Leather Chelsea Boot', 'Alpenweg', 189.0],
    ['Cloudstep Running Shoe', 'Northpeak', 124.99],
    ['Suede Loafer', 'Maison Lune', 149.0],
    ['Kids Light-Up Sneaker', 'Brisa', 44.99],
    ['Recycled Slide Sandal', 'Kuzey', 34.99],
    ['Waterproof Hiking Boot', 'Alpenweg', 169.0],
  ],
  Apparel: [
    ['Merino Crew Sweater', 'Alpenweg', 98.0],
    ['Organic Cotton Tee', 'Kuzey', 24.99],
    ['Linen Button-Down Shirt', 'Maison Lune', 69.0],
    ['Packable Rain Jacket', 'Northpeak', 119.0],
    ['High-Rise Straight Jeans', 'Brisa', 79.99],
    ['Fleece Half-Zip', 'Northpeak', 74.99],
    ['Wrap Midi Dress', 'Maison Lune', 109.0],
    ['Performance Running Shorts', 'Northpeak', 39.99],
  ],
  Accessories: [
    ['Canvas Weekender Bag', 'Kuzey', 129.0],
    ['Leather Card Holder', 'Alpenweg', 39.0],
    ['Polarized Sunglasses', 'Brisa', 89.0],
    ['Wool Beanie', 'Alpenweg', 29.99],
    ['Minimalist Watch', 'Maison Lune', 179.0],
    ['Everyday Backpack 22L', 'Northpeak', 94.99],
    ['Silk Scarf', 'Maison Lune', 59.0],
    ['Ankle Socks 3-Pack', 'Kuzey', 17.99],
  ],
  Home: [
    ['Stoneware Mug Set', 'Kuzey', 42.0],
    ['Linen Duvet Cover', 'Maison Lune', 159.0],
    ['Turkish Cotton Bath Towel', 'Kuzey', 34.0],
    ['Soy Wax Candle', 'Brisa', 28.0],
    ['Pour-Over Coffee Kit', 'Alpenweg', 64.0],
    ['Chunky Knit Throw', 'Alpenweg', 89.0],
    ['Ceramic Table Lamp', 'Maison Lune', 119.0],
    ['Olive Wood Serving Board', 'Kuzey', 46.0],
  ],
  Beauty: [
    ['Vitamin C Serum', 'Lumière', 38.0],
    ['Daily Mineral Sunscreen SPF 50', 'Lumière', 26.0],
    ['Rose Hand Cream', 'Maison Lune', 18.0],
    ['Hydrating Face Mask Set', 'Lumière', 32.0],
    ['Eau de Parfum 50ml', 'Maison Lune', 95.0],
    ['Argan Hair Oil', 'Brisa', 29.0],
    ['Bamboo Toothbrush 4-Pack', 'Kuzey', 12.99],
    ['Retinol Night Cream', 'Lumière', 54.0],
  ],
};

const SKU_PREFIX: Readonly<Record<DemoCategory, string>> = {
  Shoes: 'SHO',
  Apparel: 'APP',
  Accessories: 'ACC',
  Home: 'HOM',
  Beauty: 'BEA',
};

export const DEMO_CATEGORIES: readonly DemoCategory[] = ['Shoes', 'Apparel', 'Accessories', 'Home', 'Beauty'];

/**
 * A url slug: lowercase ASCII words joined by dashes.
 * @example slugify('Eau de Parfum 50ml'); // 'eau-de-parfum-50ml'
 */
export const slugify = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function buildCatalog(): Product[] {
  const products: Product[] = [];
  for (const category of DEMO_CATEGORIES) {
    for (const [name, brand, price] of ROWS[category]) {
      const n = 1001 + products.length;
      const slug = slugify(name);
      products.push({
        product_id: `prd_${n}`,
        sku: `${SKU_PREFIX[category]}-${n}`,
        name,
        category,
        brand,
        price,
        image_url: `${DEMO_ORIGIN}/img/products/${slug}.jpg`,
        url: `${DEMO_ORIGIN}/products/${slug}`,
      });
    }
  }
  return products;
}

/**
 * The demo catalog: 40 products, 8 in each category, priced in USD.
 * @example DEMO_PRODUCTS[0]?.name; // 'Trail Runner GTX'
 */
export const DEMO_PRODUCTS: readonly Product[] = buildCatalog();

/** Catalog indexes by category, for browsing a category page. */
export const PRODUCTS_BY_CATEGORY: Readonly<Record<DemoCategory, readonly number[]>> = (() => {
  const out: Record<DemoCategory, number[]> = {
    Shoes: [],
    Apparel: [],
    Accessories: [],
    Home: [],
    Beauty: [],
  };
  DEMO_PRODUCTS.forEach((p, i) => out[p.category].push(i));
  return out;
})();

/** What visitors type into the search box, by the category they are after. */
export const SEARCH_QUERIES: Readonly<Record<DemoCategory, readonly string[]>> = {
  Shoes: ['running shoes', 'boots', 'sneakers', 'sandals', 'waterproof'],
  Apparel: ['sweater', 'rain jacket', 'linen', 'jeans', 'dress'],
  Accessories: ['backpack', 'watch', 'sunglasses', 'gift', 'wallet'],
  Home: ['candle', 'towel', 'mug', 'throw blanket', 'lamp'],
  Beauty: ['serum', 'spf', 'perfume', 'hair oil', 'night cream'],
};
