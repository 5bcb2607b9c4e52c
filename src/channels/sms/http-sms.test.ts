import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsInfo } from '../../core/channels/sms-encoding.js';
import { fixedClock } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createHttpSms, readPath } from './http-sms.js';

const body = 'Kodunuz: 1234 — "şifre"';
const message = {
  idempotencyKey: 'k1',
  channel: 'sms' as const,
  to: '+905321234567',
  content: { channel: 'sms' as const, body, info: smsInfo(body) },
};

test('a JSON provider defined as data: Liquid body, bearer auth, message id read from a path', async () => {
  const server = await startLocalServer(() => ({ status: 200, body: { data: { id: 4711 } } }));
  const provider = createHttpSms(
    {
      name: 'local-json',
      url: `${server.url}/api/send`,
      auth: { type: 'bearer', token: 'secret' },
      headers: { 'x-client': 'orkestra' },
      from: 'SHOP',
      body: '{"to":{{ to | json }},"from":{{ from | json }},"text":{{ body | json }},"ref":{{ idempotencyKey | json }}}',
      messageIdPath: 'data.id',
    },
    { now: fixedClock },
  );
  try {
    assert.deepEqual(await provider.send(message), { status: 'accepted', providerMessageId: '4711' });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.path, '/api/send');
    assert.equal(req.headers.authorization, 'Bearer secret');
    assert.equal(req.headers['x-client'], 'orkestra');
    assert.deepEqual(JSON.parse(req.text), { to: '+905321234567', from: 'SHOP', text: body, ref: 'k1' });
  } finally {
    await server.close();
  }
});

test('a form provider with basic auth, and the error classes', async () => {
  const server = await startLocalServer(() => ({ status: 503 }));
  const provider = createHttpSms(
    {
      name: 'local-form',
      url: `${server.url}/sms?user=x`,
      auth: { type: 'basic', username: 'u', password: 'p' },
      contentType: 'application/x-www-form-urlencoded',
      body: 'gsm={{ to | url_encode }}&msg={{ body | url_encode }}',
    },
    { now: fixedClock },
  );
  try {
    const down = await provider.send(message);
    assert.ok(down.status === 'failed' && down.retryable);
    const req = server.requests[0];
    assert.equal(req?.headers.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.deepEqual(Object.fromEntries(new URLSearchParams(req?.text)), { gsm: '+905321234567', msg: body });
    server.respond(() => ({ status: 422, body: 'bad number' }));
    const bad = await provider.send(message);
    assert.ok(bad.status === 'failed' && !bad.retryable && bad.reason === 'local-form 422: bad number');
  } finally {
    await server.close();
  }
  assert.equal(readPath({ a: [{ id: 'x' }] }, 'a.0.id'), 'x');
  assert.equal(readPath({ a: 1 }, 'constructor'), undefined);
});
