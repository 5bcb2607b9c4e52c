import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertCents, priceCents, priceOrder } from './pricing.js';

test('converted prices keep a charm ending and round up to the currency step', () => {
  assert.equal(convertCents(8900, 'EUR'), 8200);
  assert.equal(convertCents(6499, 'EUR'), 5999);
  assert.equal(convertCents(6499, 'TRY'), 246999);
  assert.equal(convertCents(1299, 'USD'), 1299);
  assert.equal(priceCents(0, 'USD'), 13900);
  assert.throws(() => priceCents(99, 'USD'), RangeError);
});

test('order amounts add up: subtotal = revenue − discount, total = subtotal + shipping + tax', () => {
  const lines = [
    { priceCents: 5000, quantity: 2 },
    { priceCents: 1799, quantity: 1 },
  ];
  const order = priceOrder(lines, { currency: 'USD', taxRate: 0.08, couponPercent: 0.15 });
  assert.equal(order.revenue, 117.99);
  assert.equal(order.discount, 17.7);
  assert.equal(order.subtotal, 100.29);
  assert.equal(order.shipping, 0);
  assert.equal(order.tax, 8.02);
  assert.equal(order.total, 108.31);
  const small = priceOrder([{ priceCents: 1799, quantity: 1 }], {
    currency: 'GBP',
    taxRate: 0.2,
    couponPercent: 0,
  });
  assert.equal(small.shipping, 4.99);
  assert.equal(small.total, 26.58);
});
