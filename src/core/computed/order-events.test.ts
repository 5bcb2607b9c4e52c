import assert from 'node:assert/strict';
import { test } from 'node:test';
import { daysFromCivil } from '../stats/civil-date.js';
import { orderCompletedMessages } from './order-events.js';

const day = daysFromCivil(1997, 1, 1);

test('each line becomes an Order Completed event at the start of its day', () => {
  const [m] = orderCompletedMessages([{ customerId: '00004', day, amount: 29.33, quantity: 2 }], {
    currency: 'USD',
  });
  assert.deepEqual(m, {
    type: 'track',
    event: 'Order Completed',
    userId: '00004',
    messageId: 'order:00004:1997-01-01:1',
    timestamp: '1997-01-01T00:00:00.000Z',
    properties: { orderId: '00004-1997-01-01-1', revenue: 29.33, total: 29.33, currency: 'USD', quantity: 2 },
  });
});

test('ids are deterministic, distinct for two orders of one day, and short for long customer ids', () => {
  const log = [
    { customerId: 'a', day, amount: 1 },
    { customerId: 'a', day, amount: 2 },
    { customerId: 'b', day, amount: 3 },
  ];
  const once = orderCompletedMessages(log, { currency: 'EUR' });
  assert.deepEqual(
    once.map((m) => m.messageId),
    ['order:a:1997-01-01:1', 'order:a:1997-01-01:2', 'order:b:1997-01-01:1'],
  );
  assert.deepEqual(orderCompletedMessages(log, { currency: 'EUR' }), once);
  const long = 'x'.repeat(300);
  const [a, b] = orderCompletedMessages(
    [
      { customerId: long, day, amount: 1 },
      { customerId: `${long}y`, day, amount: 1 },
    ],
    { currency: 'USD' },
  );
  assert.ok(a!.messageId.length <= 100 && b!.messageId.length <= 100);
  assert.notEqual(a!.messageId, b!.messageId);
  assert.equal(a!.userId, long);
});
