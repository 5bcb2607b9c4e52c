import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emailMessage, fixedClock, sampleEmail } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createSendGridEmail } from './sendgrid-email.js';

test('SendGrid v3 mail/send: bearer auth, personalizations, text before html, 202 + X-Message-Id', async () => {
  const server = await startLocalServer(() => ({ status: 202, headers: { 'x-message-id': 'sg-123' } }));
  const sg = createSendGridEmail({ apiKey: 'SG.key', baseUrl: server.url, now: fixedClock });
  try {
    assert.deepEqual(await sg.send(emailMessage()), { status: 'accepted', providerMessageId: 'sg-123' });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.path, '/v3/mail/send');
    assert.equal(req.headers.authorization, 'Bearer SG.key');
    const body = JSON.parse(req.text);
    assert.deepEqual(body.personalizations, [
      { to: [{ email: 'ayse@example.com' }], custom_args: { orkestra_key: 'run1:node2:email' } },
    ]);
    assert.deepEqual(body.from, { email: 'news@shop.example', name: 'Şık Mağaza' });
    assert.deepEqual(body.reply_to, { email: 'help@shop.example' });
    assert.equal(body.subject, sampleEmail.subject);
    assert.deepEqual(
      body.content.map((c: { type: string }) => c.type),
      ['text/plain', 'text/html'],
    );
    assert.equal(body.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  } finally {
    await server.close();
  }
});

test('SendGrid errors: 429 with Retry-After retryable, 401 permanent with the API message', async () => {
  const server = await startLocalServer(() => ({ status: 429, headers: { 'retry-after': '10' } }));
  const sg = createSendGridEmail({ apiKey: 'bad', baseUrl: server.url, now: fixedClock });
  try {
    const limited = await sg.send(emailMessage());
    assert.ok(limited.status === 'failed' && limited.retryable && limited.retryAfterMs === 10_000);
    server.respond(() => ({
      status: 401,
      body: { errors: [{ message: 'The provided authorization grant is invalid' }] },
    }));
    const denied = await sg.send(emailMessage());
    assert.deepEqual(denied, {
      status: 'failed',
      retryable: false,
      reason: 'sendgrid 401: The provided authorization grant is invalid',
      httpStatus: 401,
    });
  } finally {
    await server.close();
  }
});
