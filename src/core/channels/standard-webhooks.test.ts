import assert from 'node:assert/strict';
import { test } from 'node:test';
import { standardWebhookHeaders, webhookSecretKey, webhookSigningContent } from './standard-webhooks.js';

const attempt = {
  id: 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W',
  timestamp: 1674087231,
  body: '{"type":"contact.created"}',
};

test('the signing content is id.timestamp.body, as the spec example shows', () => {
  assert.equal(
    webhookSigningContent(attempt),
    'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W.1674087231.{"type":"contact.created"}',
  );
});

test('headers carry one v1 signature per key, space-delimited', () => {
  const seen: string[] = [];
  const headers = standardWebhookHeaders(attempt, [(c) => (seen.push(c), 'AAAA'), () => 'BBBB']);
  assert.deepEqual(headers, {
    'webhook-id': attempt.id,
    'webhook-timestamp': '1674087231',
    'webhook-signature': 'v1,AAAA v1,BBBB',
  });
  assert.deepEqual(seen, [webhookSigningContent(attempt)]);
});

test('ids with a dot, fractional timestamps and missing keys are refused', () => {
  assert.throws(() => webhookSigningContent({ ...attempt, id: 'a.b' }));
  assert.throws(() => webhookSigningContent({ ...attempt, timestamp: 1.5 }));
  assert.throws(() => standardWebhookHeaders(attempt, []));
});

test('webhookSecretKey strips the whsec_ prefix and checks base64', () => {
  assert.equal(
    webhookSecretKey('whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'),
    'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  );
  assert.throws(() => webhookSecretKey('whsec_not base64!'));
});
