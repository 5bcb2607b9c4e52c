import type { DemoCurrency, OrderProperties, ProductProperties } from './demo-types.js';
import type { Persona } from './persona.js';
import { productProperties } from './product-properties.js';

/** One line of a cart: a catalog index and how many. */
export interface CartLine {
  readonly index: number;
  quantity: number;
}

export interface Cart {
  readonly id: string;
  readonly lines: CartLine[];
}

export interface PendingRefund {
  readonly at: number;
  readonly properties: OrderProperties;
}

/** What the simulation remembers about one person between their sessions. */
export interface ShopperState {
  readonly persona: Persona;
  readonly currency: DemoCurrency;
  /** An open cart; it survives an abandoned session so that a later one can complete it. */
  cart: Cart | undefined;
  /** When the account was created: before the window, or at sign-up within it. */
  createdAt: number | undefined;
  carts: number;
  checkouts: number;
  orders: number;
  readonly refunds: PendingRefund[];
}

/**
 * A fresh state for `persona`; shops in the currency of the persona's country.
 * @example createShopper(persona).cart; // undefined
 */
export const createShopper = (persona: Persona): ShopperState => ({
  persona,
  currency: persona.country.currency,
  cart: undefined,
  createdAt: undefined,
  carts: 0,
  checkouts: 0,
  orders: 0,
  refunds: [],
});

/** The cart's lines as event products. */
export const cartProducts = (cart: Cart, currency: DemoCurrency): ProductProperties[] =>
  cart.lines.map((line) => productProperties(line.index, currency, line.quantity));
