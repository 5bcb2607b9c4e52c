import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import type { OutboundMessage } from '../channel.js';
import { FIXED_NOW, fixedClock } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createStandardWebhook, webhookIdFor } from './standard-webhook.js';

/**
 * A consumer-side verifier written from the Standard Webhooks spec text alone (spec/standard-webhooks.md,
 * "Signature scheme", "Webhook headers", "Verifying signatures"): sign `{msg_id}.{timestamp}.{payload}`
 * with HMAC-SHA256 keyed by the base64-decoded part of `whsec_…`; the header is a space-delimited list
 * of `v1,<base64>`; compare in constant time; reject timestamps outside a tolerance (5 minutes here).
 */
function verify(secret: string, headers: IncomingHttpHeaders, body: string, nowSeconds: number): boolean {
  const id = String(headers['webhook-id']);
  const timestamp = String(headers['webhook-timestamp']);
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 5 * 60) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest();
  return String(headers['webhook-signature'])
    .split(' ')
    .some((entry) => {
      const [version, signature] = entry.split(',');
      const given = Buffer.from(signature ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const OLD = 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD';

const message = (url: string): OutboundMessage<'webhook'> => ({
  idempotencyKey: 'run1:node3:webhook',
  channel: 'webhook',
  to: null,
  content: {
    channel: 'webhook',
    method: 'POST',
    url,
    headers: { 'x-shop': 'tr' },
    body: '{"type":"cart.abandoned","data":{"name":"Çağla"}}',
  },
});

test('the request verifies with an independent implementation of the spec, within tolerance only', async () => {
  const server = await startLocalServer(() => ({ status: 204 }));
  const hook = createStandardWebhook({ secrets: [SECRET, OLD], now: fixedClock });
  try {
    const outcome = await hook.send(message(`${server.url}/hooks/orkestra`));
    assert.deepEqual(outcome, { status: 'accepted', providerMessageId: webhookIdFor('run1:node3:webhook') });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.path, '/hooks/orkestra');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-shop'], 'tr');
    assert.equal(req.headers['webhook-timestamp'], String(FIXED_NOW / 1000));
    assert.match(String(req.headers['webhook-id']), /^msg_[A-Za-z0-9_-]{27}$/);
    assert.equal(String(req.headers['webhook-signature']).split(' ').length, 2, 'current and previous key');
    const now = FIXED_NOW / 1000;
    assert.ok(verify(SECRET, req.headers, req.text, now), 'current secret verifies');
    assert.ok(verify(OLD, req.headers, req.text, now), 'old secret verifies during rotation');
    assert.ok(verify(SECRET, req.headers, req.text, now + 299), 'inside the 5-minute tolerance');
    assert.ok(!verify(SECRET, req.headers, req.text, now + 301), 'replayed too late');
    assert.ok(!verify(SECRET, req.headers, req.text, now - 301), 'from too far in the future');
    assert.ok(!verify(SECRET, req.headers, req.text.replace('Çağla', 'Ayşe'), now), 'a changed body fails');
    assert.ok(
      !verify('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', req.headers, req.text, now),
      'another key fails',
    );

    await hook.send(message(`${server.url}/hooks/orkestra`));
    assert.equal(server.requests[1]?.headers['webhook-id'], req.headers['webhook-id'], 'same id on a retry');
  } finally {
    await server.close();
  }
});

test('status handling per the spec: 410 permanent, 429/502/504 retryable, 3xx and 400 failures', async () => {
  const server = await startLocalServer(() => ({ status: 410 }));
  const hook = createStandardWebhook({ secrets: [SECRET], now: fixedClock });
  const send = () => hook.send(message(`${server.url}/h`));
  try {
    const gone = await send();
    assert.ok(gone.status === 'failed' && !gone.retryable && gone.httpStatus === 410);
    for (const status of [429, 502, 504]) {
      server.respond(() => ({ status, headers: { 'retry-after': '1' } }));
      const r = await send();
      assert.ok(r.status === 'failed' && r.retryable && r.retryAfterMs === 1000, String(status));
    }
    server.respond(() => ({ status: 301, headers: { location: 'https://elsewhere.example/' } }));
    const moved = await send();
    assert.ok(moved.status === 'failed' && !moved.retryable);
    server.respond(() => ({ status: 400 }));
    const bad = await send();
    assert.ok(bad.status === 'failed' && !bad.retryable);
  } finally {
    await server.close();
  }
});
