import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { jwtVerify } from 'jose';
import type { OutboundMessage } from '../channel.js';
import { FIXED_NOW, fixedClock } from '../testing/fixtures.js';
import { apnsIdFor, createApnsPush } from './apns-push.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const TOKEN = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';

const push: OutboundMessage<'push'> = {
  idempotencyKey: 'r1:n1:push',
  channel: 'push',
  to: TOKEN,
  content: {
    channel: 'push',
    title: 'Sepetin',
    body: 'Çantan seni bekliyor',
    deepLink: 'shop://cart',
    data: { cart: 'c9' },
  },
};

/** A plaintext HTTP/2 (h2c) stand-in for APNs on loopback. */
async function startApns(
  answer: (h: IncomingHttpHeaders) => { status: number; headers?: Record<string, string>; body?: object },
) {
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      seen.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      const a = answer(headers);
      stream.respond({ ':status': a.status, 'apns-id': String(headers['apns-id']), ...a.headers });
      stream.end(a.body ? JSON.stringify(a.body) : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const provider = (baseUrl: string) =>
  createApnsPush({
    signingKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    keyId: 'ABC123DEFG',
    teamId: 'DEF123GHIJ',
    topic: 'com.shop.app',
    baseUrl,
    now: fixedClock,
  });

test('APNs over HTTP/2: /3/device/<token>, ES256 provider token, apns-topic and apns-push-type', async () => {
  const apns = await startApns(() => ({ status: 200 }));
  const p = provider(apns.url);
  try {
    assert.deepEqual(await p.send(push), { status: 'accepted', providerMessageId: apnsIdFor('r1:n1:push') });
    await p.send(push);
    const [first, second] = apns.seen;
    assert.ok(first && second);
    assert.equal(first.headers[':method'], 'POST');
    assert.equal(first.headers[':path'], `/3/device/${TOKEN}`);
    assert.equal(first.headers['apns-topic'], 'com.shop.app');
    assert.equal(first.headers['apns-push-type'], 'alert');
    assert.match(
      String(first.headers['apns-id']),
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const auth = String(first.headers.authorization);
    assert.match(auth, /^bearer /);
    const { payload, protectedHeader } = await jwtVerify(auth.slice(7), publicKey, {
      currentDate: new Date(FIXED_NOW),
    });
    assert.deepEqual(protectedHeader, { alg: 'ES256', kid: 'ABC123DEFG' });
    assert.deepEqual(payload, { iss: 'DEF123GHIJ', iat: FIXED_NOW / 1000 });
    assert.equal(second.headers.authorization, first.headers.authorization, 'the provider token is reused');
    assert.deepEqual(JSON.parse(first.body), {
      aps: { alert: { title: 'Sepetin', body: 'Çantan seni bekliyor' }, sound: 'default' },
      cart: 'c9',
      deep_link: 'shop://cart',
    });
  } finally {
    await p.close?.();
    await apns.close();
  }
});

test('APNs errors: 410 Unregistered and 400 BadDeviceToken are dead tokens; 429 and 503 retry', async () => {
  let next = { status: 410, body: { reason: 'Unregistered', timestamp: 1700000000000 } as object };
  const apns = await startApns(() => next);
  const p = provider(apns.url);
  try {
    const gone = await p.send(push);
    assert.deepEqual(gone, {
      status: 'failed',
      retryable: false,
      reason: 'apns 410: Unregistered',
      invalidToken: true,
      httpStatus: 410,
    });
    next = { status: 400, body: { reason: 'BadDeviceToken' } };
    const bad = await p.send(push);
    assert.ok(bad.status === 'failed' && bad.invalidToken === true);
    next = { status: 429, body: { reason: 'TooManyRequests' } };
    const many = await p.send(push);
    assert.ok(many.status === 'failed' && many.retryable && !many.invalidToken);
    next = { status: 400, body: { reason: 'BadTopic' } };
    const topic = await p.send(push);
    assert.ok(topic.status === 'failed' && !topic.retryable && !topic.invalidToken);
    next = { status: 503, body: { reason: 'ServiceUnavailable' } };
    const down = await p.send(push);
    assert.ok(down.status === 'failed' && down.retryable);
  } finally {
    await p.close?.();
    await apns.close();
  }
});
