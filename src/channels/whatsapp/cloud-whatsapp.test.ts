import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutboundMessage } from '../channel.js';
import { fixedClock } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createCloudWhatsApp } from './cloud-whatsapp.js';

const ok = {
  status: 200,
  body: {
    messaging_product: 'whatsapp',
    contacts: [{ input: '905321234567', wa_id: '905321234567' }],
    messages: [{ id: 'wamid.HBgL' }],
  },
};
const to = '+905321234567';

test('Cloud API: /{version}/{phone-number-id}/messages with template and text bodies', async () => {
  const server = await startLocalServer(() => ok);
  const wa = createCloudWhatsApp({
    accessToken: 'EAAG',
    phoneNumberId: '1055',
    apiVersion: 'v21.0',
    baseUrl: server.url,
    now: fixedClock,
  });
  try {
    const template: OutboundMessage<'whatsapp'> = {
      idempotencyKey: 'k',
      channel: 'whatsapp',
      to,
      content: {
        channel: 'whatsapp',
        type: 'template',
        name: 'cart_reminder',
        language: 'tr',
        parameters: ['Çağla', '2'],
      },
    };
    assert.deepEqual(await wa.send(template), { status: 'accepted', providerMessageId: 'wamid.HBgL' });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.path, '/v21.0/1055/messages');
    assert.equal(req.headers.authorization, 'Bearer EAAG');
    assert.deepEqual(JSON.parse(req.text), {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905321234567',
      type: 'template',
      template: {
        name: 'cart_reminder',
        language: { code: 'tr' },
        components: [
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Çağla' },
              { type: 'text', text: '2' },
            ],
          },
        ],
      },
    });
    await wa.send({ ...template, content: { channel: 'whatsapp', type: 'text', text: 'Merhaba!' } });
    assert.deepEqual(JSON.parse(server.requests[1]?.text ?? ''), {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '905321234567',
      type: 'text',
      text: { body: 'Merhaba!', preview_url: false },
    });
  } finally {
    await server.close();
  }
});

test('Cloud API errors: rate limits retry, a closed 24-hour window and bad params are permanent', async () => {
  const graphError = (status: number, code: number) => ({
    status,
    body: { error: { message: 'm', type: 'OAuthException', code, fbtrace_id: 'x' } },
  });
  const server = await startLocalServer(() => graphError(400, 130429));
  const wa = createCloudWhatsApp({
    accessToken: 't',
    phoneNumberId: '1',
    baseUrl: server.url,
    now: fixedClock,
  });
  const text: OutboundMessage<'whatsapp'> = {
    idempotencyKey: 'k',
    channel: 'whatsapp',
    to,
    content: { channel: 'whatsapp', type: 'text', text: 'hi' },
  };
  try {
    const limited = await wa.send(text);
    assert.ok(limited.status === 'failed' && limited.retryable);
    server.respond(() => graphError(400, 131047));
    const closed = await wa.send(text);
    assert.ok(closed.status === 'failed' && !closed.retryable && closed.reason.includes('template'));
    server.respond(() => graphError(400, 100));
    const bad = await wa.send(text);
    assert.ok(bad.status === 'failed' && !bad.retryable);
    server.respond(() => ({ status: 500, body: { error: { code: 1, message: 'unknown' } } }));
    const down = await wa.send(text);
    assert.ok(down.status === 'failed' && down.retryable);
  } finally {
    await server.close();
  }
});
