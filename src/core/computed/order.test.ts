import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readOrder, toNumber } from './order.js';

test('revenue comes first, then total, then the products; currency defaults to USD', () => {
  assert.equal(readOrder({ revenue: 25, total: 30 }).amount, 25);
  assert.equal(readOrder({ total: 30 }).amount, 30);
  assert.equal(readOrder({ revenue: '12.50' }).amount, 12.5);
  const products = [
    { category: 'Shoes', price: 10, quantity: 2 },
    { category: 'Socks', price: 3 },
  ];
  assert.deepEqual(readOrder({ products }), {
    amount: 23,
    currency: 'USD',
    categories: { Shoes: 2, Socks: 1 },
  });
  assert.equal(readOrder({ currency: 'eur' }).currency, 'EUR');
  assert.equal(readOrder({ currency: 'euros' }).currency, 'USD');
  assert.deepEqual(readOrder(undefined), { amount: 0, currency: 'USD', categories: {} });
});

test('a top-level category counts when the products name none; junk is ignored', () => {
  assert.deepEqual(readOrder({ category: 'Shoes', quantity: 3, revenue: 9 }).categories, { Shoes: 3 });
  assert.deepEqual(readOrder({ products: [{ category: 'A' }], category: 'B' }).categories, { A: 1 });
  assert.deepEqual(readOrder({ products: [null, 7, { category: '  ' }, { category: 5 }] }).categories, {});
  assert.equal(readOrder({ revenue: Number.NaN, total: 'x', products: 'none' }).amount, 0);
  assert.equal(toNumber(''), undefined);
  assert.equal(toNumber(Infinity), undefined);
});
