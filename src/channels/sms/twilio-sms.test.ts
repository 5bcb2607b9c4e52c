import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsInfo } from '../../core/channels/sms-encoding.js';
import type { OutboundMessage } from '../channel.js';
import { fixedClock } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createTwilioSms } from './twilio-sms.js';

const sms = (to: string): OutboundMessage<'sms'> => {
  const body = 'Merhaba Çağla, sepetin seni bekliyor & %50 indirim';
  return {
    idempotencyKey: 'run1:n1:sms',
    channel: 'sms',
    to,
    content: { channel: 'sms', body, info: smsInfo(body) },
  };
};

test('Twilio Messages.json: form-encoded To/From/Body, basic auth AccountSid:AuthToken, 201 sid', async () => {
  const server = await startLocalServer(() => ({ status: 201, body: { sid: 'SM123', status: 'queued' } }));
  const twilio = createTwilioSms({
    accountSid: 'AC42',
    authToken: 'tok',
    from: '+15005550006',
    baseUrl: server.url,
    now: fixedClock,
  });
  try {
    assert.deepEqual(await twilio.send(sms('+905321234567')), {
      status: 'accepted',
      providerMessageId: 'SM123',
    });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.path, '/2010-04-01/Accounts/AC42/Messages.json');
    assert.equal(req.headers.authorization, `Basic ${Buffer.from('AC42:tok').toString('base64')}`);
    assert.equal(req.headers['content-type'], 'application/x-www-form-urlencoded');
    assert.equal(req.headers['i-twilio-idempotency-token'], 'run1:n1:sms');
    const form = new URLSearchParams(req.text);
    assert.deepEqual(Object.fromEntries(form), {
      To: '+905321234567',
      Body: 'Merhaba Çağla, sepetin seni bekliyor & %50 indirim',
      From: '+15005550006',
    });
  } finally {
    await server.close();
  }
});

test('Twilio errors: 429 retryable after Retry-After, 5xx retryable, invalid number permanent', async () => {
  const server = await startLocalServer(() => ({
    status: 429,
    headers: { 'retry-after': '2' },
    body: { code: 20429, message: 'Too Many Requests' },
  }));
  const twilio = createTwilioSms({
    accountSid: 'AC42',
    authToken: 'tok',
    messagingServiceSid: 'MG1',
    baseUrl: server.url,
    now: fixedClock,
  });
  try {
    const limited = await twilio.send(sms('+905321234567'));
    assert.ok(limited.status === 'failed' && limited.retryable && limited.retryAfterMs === 2000);
    assert.equal(new URLSearchParams(server.requests[0]?.text).get('MessagingServiceSid'), 'MG1');
    server.respond(() => ({ status: 500, body: { code: 20500, message: 'Internal Server Error' } }));
    const down = await twilio.send(sms('+905321234567'));
    assert.ok(down.status === 'failed' && down.retryable);
    server.respond(() => ({
      status: 400,
      body: { code: 21211, message: "The 'To' number is not a valid phone number." },
    }));
    const bad = await twilio.send(sms('+90'));
    assert.ok(bad.status === 'failed' && !bad.retryable && bad.reason.includes('21211'), JSON.stringify(bad));
  } finally {
    await server.close();
  }
});
