import { LIMITS } from '../messages/segment-schema.js';
import { hashString } from '../random.js';
import { formatIsoDate } from '../stats/civil-date.js';
import type { Transaction } from '../stats/transactions.js';
import { ORDER_COMPLETED } from './order.js';

/** An `Order Completed` track call as the HTTP Tracking API takes it. */
export interface OrderCompletedMessage {
  readonly type: 'track';
  readonly event: typeof ORDER_COMPLETED;
  readonly userId: string;
  readonly messageId: string;
  readonly timestamp: string;
  readonly properties: {
    readonly orderId: string;
    readonly revenue: number;
    readonly total: number;
    readonly currency: string;
    readonly quantity?: number;
  };
}

const hex = (n: number): string => n.toString(16).padStart(8, '0');

/** A key short enough for a messageId; long ones become 64 bits of two independent hashes. */
function shortKey(key: string, room: number): string {
  return key.length <= room ? key : `h${hex(hashString(key))}${hex(hashString(`~${key}`))}`;
}

/**
 * Turns a transaction log into `Order Completed` events, one per line: `userId` is the customer id,
 * the time is the start of the day (UTC), `revenue` and `total` the amount. The `messageId` and
 * `orderId` are derived from customer, day and the line's rank among that customer's lines of that
 * day, so importing the same log again is deduplicated by the server instead of doubling the orders.
 * @example orderCompletedMessages([{ customerId: '00004', day: 9862, amount: 29.33, quantity: 2 }], { currency: 'USD' })
 * // [{ type: 'track', event: 'Order Completed', userId: '00004', messageId: 'order:00004:1997-01-01:1', … }]
 */
export function orderCompletedMessages(
  transactions: readonly Transaction[],
  options: { readonly currency: string },
): OrderCompletedMessage[] {
  const seen = new Map<string, number>();
  return transactions.map((t) => {
    const date = formatIsoDate(t.day);
    const dayKey = `${t.customerId}\u0000${date}`;
    const rank = (seen.get(dayKey) ?? 0) + 1;
    seen.set(dayKey, rank);
    const suffix = `:${date}:${rank}`;
    const customer = shortKey(t.customerId, LIMITS.messageIdLength - 'order:'.length - suffix.length);
    return {
      type: 'track',
      event: ORDER_COMPLETED,
      userId: t.customerId,
      messageId: `order:${customer}${suffix}`,
      timestamp: `${date}T00:00:00.000Z`,
      properties: {
        orderId: `${customer}${suffix}`.replace(/:/g, '-'),
        revenue: t.amount,
        total: t.amount,
        currency: options.currency,
        ...(t.quantity !== undefined ? { quantity: t.quantity } : {}),
      },
    };
  });
}
