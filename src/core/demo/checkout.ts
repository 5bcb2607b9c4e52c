import { MS_PER_DAY, MS_PER_HOUR } from '../brand.js';
import type { Random } from '../random.js';
import { DEMO_STORE_NAME } from './catalog.js';
import type { OrderProperties } from './demo-types.js';
import { priceCents, priceOrder } from './pricing.js';
import { between, chance } from './sampling.js';
import type { Cart, ShopperState } from './shopper.js';
import { cartProducts } from './shopper.js';
import type { VisitorLog } from './visitor-log.js';

/**
 * The buying half of a session: Checkout Started, maybe a coupon, Order Completed — or a checkout
 * left half-way, which keeps the cart open for a reminder journey to pick up.
 */

interface Coupon {
  readonly id: string;
  readonly name: string;
  readonly percent: number;
}

const WELCOME: Coupon = { id: 'WELCOME10', name: '10% off your first order', percent: 0.1 };
const SEASONAL: Coupon = { id: 'SPRING15', name: 'Spring sale: 15% off', percent: 0.15 };
const VIP: Coupon = { id: 'VIP20', name: 'VIP: 20% off', percent: 0.2 };

/** Share of orders refunded some days later. */
const REFUND_RATE = 0.04;

function drawCoupon(rng: Random, shopper: ShopperState): Coupon | undefined {
  const { persona } = shopper;
  if (shopper.orders === 0 && persona.accountAgeMs === undefined && chance(rng, 0.5)) return WELCOME;
  if (persona.archetype === 'loyal' && chance(rng, 0.3)) return VIP;
  return chance(rng, 0.12) ? SEASONAL : undefined;
}

function orderProperties(shopper: ShopperState, cart: Cart, coupon: Coupon | undefined): OrderProperties {
  const { persona, currency } = shopper;
  const lines = cart.lines.map((l) => ({ priceCents: priceCents(l.index, currency), quantity: l.quantity }));
  const terms = { currency, taxRate: persona.country.taxRate, couponPercent: coupon?.percent ?? 0 };
  const { total, subtotal, revenue, shipping, tax, discount } = priceOrder(lines, terms);
  const checkout_id = `chk_${persona.index.toString(36)}_${shopper.checkouts}`;
  const order_id = `ORK-${10000 + persona.index}-${shopper.checkouts}`;
  const cart_id = cart.id;
  const affiliation = DEMO_STORE_NAME;
  const products = cartProducts(cart, currency);
  return coupon
    ? {
        checkout_id,
        order_id,
        cart_id,
        affiliation,
        total,
        subtotal,
        revenue,
        shipping,
        tax,
        discount,
        coupon: coupon.id,
        currency,
        products,
      }
    : {
        checkout_id,
        order_id,
        cart_id,
        affiliation,
        total,
        subtotal,
        revenue,
        shipping,
        tax,
        discount,
        currency,
        products,
      };
}

/**
 * Start checking out the open cart. With `complete`, pay (perhaps with a coupon) and see the
 * confirmation; without, leave at the payment step.
 */
export function checkout(log: VisitorLog, rng: Random, shopper: ShopperState, complete: boolean): void {
  const cart = shopper.cart;
  if (!cart || cart.lines.length === 0) return;
  shopper.checkouts += 1;
  log.view({ name: 'Checkout', path: '/checkout', title: `Checkout | ${DEMO_STORE_NAME}`, properties: {} });
  log.track('Checkout Started', orderProperties(shopper, cart, undefined));
  log.wait(40, 240);
  if (!complete) return;
  const coupon = drawCoupon(rng, shopper);
  const order = orderProperties(shopper, cart, coupon);
  if (coupon) {
    const { cart_id, order_id, discount } = order;
    log.track('Coupon Applied', {
      cart_id,
      order_id,
      coupon_id: coupon.id,
      coupon_name: coupon.name,
      discount,
    });
    log.wait(10, 60);
  }
  log.track('Order Completed', order);
  if (!log.isOpen) return;
  shopper.orders += 1;
  shopper.cart = undefined;
  const path = `/orders/${order.order_id}`;
  log.view({
    name: 'Order Confirmation',
    path,
    title: `Thank you! | ${DEMO_STORE_NAME}`,
    properties: { order_id: order.order_id },
  });
  if (chance(rng, REFUND_RATE)) {
    shopper.refunds.push({
      at: log.at + Math.floor(between(rng, 1 * MS_PER_DAY, 6 * MS_PER_DAY) + MS_PER_HOUR),
      properties: order,
    });
  }
}
