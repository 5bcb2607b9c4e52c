/**
 * The 20 segments both segment benchmarks define: every kind of condition the language has (traits,
 * event counts in sliding windows, sums of revenue, not-performed, first/last time, computed traits,
 * membership of other segments, random buckets, reachability), in the proportions a shop would use.
 * Events are those of `shop-messages.ts`.
 */
import type { SegmentDefinition } from '../../src/core/segments/definition.js';

const last = (amount: number, unit: 'hours' | 'days') => ({ kind: 'last' as const, amount, unit });

export const BENCH_SEGMENTS: readonly SegmentDefinition[] = [
  {
    id: 'window-shoppers',
    name: 'Viewed 3+ products this week',
    condition: {
      type: 'event',
      event: 'Product Viewed',
      window: last(7, 'days'),
      compare: { op: 'gte', value: 3 },
    },
  },
  {
    id: 'recent-buyers',
    name: 'Ordered in the last 30 days',
    condition: { type: 'event', event: 'Order Completed', window: last(30, 'days') },
  },
  {
    id: 'big-spenders-90d',
    name: 'Spent 300+ in the last 90 days',
    condition: {
      type: 'event',
      event: 'Order Completed',
      window: last(90, 'days'),
      measure: { of: 'sum', property: 'revenue' },
      compare: { op: 'gte', value: 300 },
    },
  },
  {
    id: 'cart-abandoners',
    name: 'Added to cart today, no order today',
    condition: {
      type: 'and',
      conditions: [
        { type: 'event', event: 'Product Added', window: last(24, 'hours') },
        { type: 'not', condition: { type: 'event', event: 'Order Completed', window: last(24, 'hours') } },
      ],
    },
  },
  {
    id: 'browsers-never-bought',
    name: 'Viewed products, never ordered',
    condition: {
      type: 'and',
      conditions: [
        { type: 'event', event: 'Product Viewed', window: { kind: 'ever' } },
        { type: 'not', condition: { type: 'event', event: 'Order Completed', window: { kind: 'ever' } } },
      ],
    },
  },
  {
    id: 'repeat-customers',
    name: 'Two or more orders',
    condition: { type: 'computed', trait: 'ordersCount', op: 'gte', value: 2 },
  },
  {
    id: 'high-aov',
    name: 'Average order 150+',
    condition: { type: 'computed', trait: 'averageOrderValue', op: 'gte', value: 150 },
  },
  {
    id: 'rfm-champions',
    name: 'RFM Champions',
    condition: { type: 'computed', trait: 'rfmGroup', op: 'equals', value: 'Champions' },
  },
  {
    id: 'lapsing-customers',
    name: 'Last order 60+ days ago',
    condition: { type: 'computed', trait: 'daysSinceLastOrder', op: 'gte', value: 60 },
  },
  {
    id: 'turkey',
    name: 'Lives in Turkey',
    condition: { type: 'trait', trait: 'country', op: 'equals', value: 'TR' },
  },
  {
    id: 'email-reachable',
    name: 'Has an email and is subscribed',
    condition: { type: 'reachable', channel: 'email' },
  },
  {
    id: 'newsletter',
    name: 'Reachable for the newsletter',
    condition: { type: 'reachable', channel: 'email', topic: 'newsletter' },
  },
  {
    id: 'new-customers',
    name: 'First order in the last 7 days',
    condition: {
      type: 'event_time',
      event: 'Order Completed',
      which: 'first',
      op: 'within_last_days',
      days: 7,
    },
  },
  {
    id: 'searchers',
    name: 'Searched twice in the last 24 hours',
    condition: {
      type: 'event',
      event: 'Products Searched',
      window: last(24, 'hours'),
      compare: { op: 'gte', value: 2 },
    },
  },
  {
    id: 'holdout',
    name: 'Holdout (10%)',
    condition: { type: 'random_bucket', salt: 'holdout-2026', from: 0, to: 10 },
  },
  {
    id: 'buyers-outside-holdout',
    name: 'Recent buyers, not in the holdout',
    condition: {
      type: 'and',
      conditions: [
        { type: 'segment', segmentId: 'recent-buyers', member: true },
        { type: 'segment', segmentId: 'holdout', member: false },
      ],
    },
  },
  {
    id: 'tr-window-shoppers',
    name: 'Window shoppers in Turkey',
    condition: {
      type: 'and',
      conditions: [
        { type: 'segment', segmentId: 'window-shoppers', member: true },
        { type: 'trait', trait: 'country', op: 'equals', value: 'TR' },
      ],
    },
  },
  {
    id: 'checkout-no-order',
    name: 'Started checkout in the last 2 hours, no order',
    condition: {
      type: 'and',
      conditions: [
        { type: 'event', event: 'Checkout Started', window: last(2, 'hours') },
        { type: 'not', condition: { type: 'event', event: 'Order Completed', window: last(2, 'hours') } },
      ],
    },
  },
  {
    id: 'big-basket-buyers',
    name: 'Placed an order of 200+ once',
    condition: {
      type: 'event',
      event: 'Order Completed',
      where: [{ property: 'revenue', op: 'gte', value: 200 }],
      window: { kind: 'ever' },
    },
  },
  {
    id: 'vip',
    name: 'VIP: lifetime revenue 1,000+ or a big spender',
    condition: {
      type: 'or',
      conditions: [
        { type: 'computed', trait: 'revenue', op: 'gte', value: 1000 },
        { type: 'segment', segmentId: 'big-spenders-90d', member: true },
      ],
    },
  },
];
