import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeTokens } from './rate-limit.js';

const limit = { perSecond: 10, burst: 20 };

test('a full bucket allows a burst, then refuses with the time to wait', () => {
  const a = takeTokens(undefined, 20, 0, limit);
  assert.ok(a.ok);
  const b = takeTokens(a.bucket, 5, 0, limit);
  assert.equal(b.ok, false);
  assert.equal(b.ok ? 0 : b.retryAfterMs, 500);
  const c = takeTokens(b.bucket, 5, 500, limit);
  assert.ok(c.ok, 'tokens refill at the configured rate');
});

test('a request larger than the burst passes on a full bucket and leaves debt', () => {
  const a = takeTokens(undefined, 50, 0, limit);
  assert.ok(a.ok);
  assert.equal(a.bucket.tokens, -30);
  assert.equal(takeTokens(a.bucket, 1, 1000, limit).ok, false);
  assert.ok(takeTokens(a.bucket, 1, 3100, limit).ok);
});
