import type { EpochMs } from '../brand.js';

/**
 * The demo shop's vocabulary: a product catalog and the Segment messages its visitors send.
 * Message shapes follow the Segment spec (https://segment.com/docs/connections/spec/) and the
 * e-commerce events v2 spec (https://segment.com/docs/connections/spec/ecommerce/v2/).
 */

export type DemoCategory = 'Shoes' | 'Apparel' | 'Accessories' | 'Home' | 'Beauty';
export type DemoCurrency = 'USD' | 'EUR' | 'GBP' | 'TRY';

/** A catalog entry; `price` is in USD, the shop's base currency. */
export interface Product {
  readonly product_id: string;
  readonly sku: string;
  readonly name: string;
  readonly category: DemoCategory;
  readonly brand: string;
  readonly price: number;
  readonly image_url: string;
  readonly url: string;
}

/** A product as it appears in event properties, priced in the visitor's currency. */
export interface ProductProperties extends Product {
  readonly quantity: number;
  readonly position?: number;
}

export interface DemoLibrary {
  readonly name: 'analytics.js' | 'analytics-ios' | 'analytics-android' | '@segment/analytics-node';
  readonly version: string;
}

export interface DemoDevice {
  readonly id: string;
  readonly type: 'ios' | 'android';
  /** The push token (APNs hex token or FCM registration token). */
  readonly token: string;
  readonly manufacturer: string;
  readonly model: string;
}

export interface DemoPageContext {
  readonly path: string;
  readonly referrer: string;
  readonly search: string;
  readonly title: string;
  readonly url: string;
}

export interface DemoCampaign {
  readonly name: string;
  readonly source: string;
  readonly medium: string;
}

/** Segment `context`: web messages carry `userAgent` and `page`, app messages `device`, `os` and `app`. */
export interface DemoContext {
  readonly library: DemoLibrary;
  readonly ip?: string;
  readonly locale?: string;
  readonly timezone?: string;
  readonly userAgent?: string;
  readonly page?: DemoPageContext;
  readonly campaign?: DemoCampaign;
  readonly device?: DemoDevice;
  readonly os?: { readonly name: 'iOS' | 'Android'; readonly version: string };
  readonly app?: { readonly name: string; readonly version: string; readonly build: string };
  readonly screen?: { readonly width: number; readonly height: number };
}

export interface DemoTraits {
  readonly email: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly name: string;
  readonly phone?: string;
  readonly birthday: string;
  readonly createdAt: string;
  readonly address: { readonly city: string; readonly country: string };
  readonly timezone: string;
  readonly locale: string;
  readonly emailOptIn: boolean;
  readonly smsOptIn?: boolean;
}

interface MessageBase {
  readonly messageId: string;
  readonly userId?: string;
  readonly anonymousId?: string;
  readonly context: DemoContext;
  /** ISO-8601, UTC, millisecond precision: `2025-03-14T18:02:11.204Z`. */
  readonly timestamp: string;
}

export interface DemoIdentify extends MessageBase {
  readonly type: 'identify';
  readonly traits: DemoTraits;
}

export interface DemoAlias extends MessageBase {
  readonly type: 'alias';
  readonly previousId: string;
  readonly userId: string;
}

export interface DemoPage extends MessageBase {
  readonly type: 'page';
  readonly name: string;
  readonly properties: DemoPageContext;
}

export interface DemoScreen extends MessageBase {
  readonly type: 'screen';
  readonly name: string;
  readonly properties: { readonly [key: string]: string | number };
}

type TrackOf<E extends string, P> = MessageBase & {
  readonly type: 'track';
  readonly event: E;
  readonly properties: P;
};

export interface CartProperties {
  readonly cart_id: string;
  readonly currency: DemoCurrency;
  readonly products: readonly ProductProperties[];
}

/** Money fields of an order; see `priceOrder` for how they relate. */
export interface OrderAmounts {
  readonly revenue: number;
  readonly subtotal: number;
  readonly discount: number;
  readonly shipping: number;
  readonly tax: number;
  readonly total: number;
}

export interface OrderProperties extends CartProperties, OrderAmounts {
  readonly order_id: string;
  readonly checkout_id: string;
  readonly affiliation: string;
  readonly coupon?: string;
}

export type DemoTrack =
  | TrackOf<'Order Completed' | 'Checkout Started', OrderProperties>
  | TrackOf<'Order Refunded', OrderProperties>
  | TrackOf<'Product Viewed', ProductProperties & { readonly currency: DemoCurrency }>
  | TrackOf<
      'Product Added' | 'Product Removed',
      ProductProperties & { readonly cart_id: string; readonly currency: DemoCurrency }
    >
  | TrackOf<'Cart Viewed', CartProperties>
  | TrackOf<
      'Product List Viewed',
      {
        readonly list_id: string;
        readonly category?: DemoCategory;
        readonly products: readonly ProductProperties[];
      }
    >
  | TrackOf<'Products Searched', { readonly query: string }>
  | TrackOf<
      'Coupon Applied',
      {
        readonly cart_id: string;
        readonly order_id: string;
        readonly coupon_id: string;
        readonly coupon_name: string;
        readonly discount: number;
      }
    >
  | TrackOf<'Signed Up' | 'Signed In', { readonly method: 'email' | 'google' | 'apple' }>
  | TrackOf<
      'Application Installed' | 'Application Opened',
      { readonly version: string; readonly build: string; readonly from_background?: boolean }
    >;

export type DemoEventName = DemoTrack['event'];

/** One Segment message, exactly as an SDK would put it in a `POST /v1/batch` body. */
export type DemoMessage = DemoIdentify | DemoAlias | DemoPage | DemoScreen | DemoTrack;
export type DemoMessageType = DemoMessage['type'];

export interface DemoShop {
  readonly products: readonly Product[];
  /** Sorted by `timestamp` (ties keep each visitor's own order). */
  readonly messages: readonly DemoMessage[];
}

export interface DemoShopOptions {
  readonly seed: number;
  /** The last instant of activity; messages fall in `[end − days, end]`. */
  readonly end: EpochMs;
  /** How many days of history to generate (default 28). */
  readonly days?: number;
  /** How many people visit the shop, known customers and anonymous visitors alike (default 400). */
  readonly customers?: number;
}
