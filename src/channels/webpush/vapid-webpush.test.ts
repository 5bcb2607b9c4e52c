import assert from 'node:assert/strict';
import { createDecipheriv, createECDH, createHmac, createPublicKey, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { decodeJwt, jwtVerify } from 'jose';
import webpush from 'web-push';
import type { OutboundMessage } from '../channel.js';
import { fixedClock } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createVapidWebPush } from './vapid-webpush.js';

const hmac = (key: Buffer, data: Buffer) => createHmac('sha256', key).update(data).digest();

/** Decrypts an aes128gcm push message body (RFC 8291 §3.3–3.4, RFC 8188 §2), written from the RFCs. */
function decrypt(body: Buffer, ua: ReturnType<typeof createECDH>, auth: Buffer): string {
  const salt = body.subarray(0, 16);
  const idlen = body.readUInt8(20);
  const asPublic = body.subarray(21, 21 + idlen);
  const ciphertext = body.subarray(21 + idlen);
  const ecdhSecret = ua.computeSecret(asPublic);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    ua.getPublicKey(),
    asPublic,
    Buffer.from([1]),
  ]);
  const ikm = hmac(hmac(auth, ecdhSecret), keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plain = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  return plain.subarray(0, plain.lastIndexOf(2)).toString('utf8'); // 0x02 delimits the last record
}

test('VAPID web push: encrypted aes128gcm payload, VAPID JWT for the endpoint origin, 201 Location', async () => {
  const server = await startLocalServer(() => ({ status: 201, headers: { location: '/m/123' } }));
  const vapid = webpush.generateVAPIDKeys();
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const auth = randomBytes(16);
  const message: OutboundMessage<'webpush'> = {
    idempotencyKey: 'k',
    channel: 'webpush',
    to: {
      endpoint: `${server.url}/push/sub1`,
      keys: { p256dh: ua.getPublicKey().toString('base64url'), auth: auth.toString('base64url') },
    },
    content: {
      channel: 'webpush',
      title: 'Fiyat düştü',
      body: 'Çanta 20% indirimde',
      url: 'https://shop.example/p/1',
      actions: [{ action: 'buy', title: 'Satın al' }],
    },
  };
  const provider = createVapidWebPush({
    subject: 'mailto:ops@shop.example',
    publicKey: vapid.publicKey,
    privateKey: vapid.privateKey,
    ttlSeconds: 3600,
    now: fixedClock,
  });
  try {
    assert.deepEqual(await provider.send(message), { status: 'accepted', providerMessageId: '/m/123' });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.path, '/push/sub1');
    assert.equal(req.headers.ttl, '3600');
    assert.equal(req.headers['content-encoding'], 'aes128gcm');
    const [, jwt, key] = /^vapid t=([^,]+), k=(.+)$/.exec(req.headers.authorization ?? '') ?? [];
    assert.equal(key, vapid.publicKey);
    const publicJwk = { kty: 'EC', crv: 'P-256', x: '', y: '' };
    const raw = Buffer.from(vapid.publicKey, 'base64url');
    publicJwk.x = raw.subarray(1, 33).toString('base64url');
    publicJwk.y = raw.subarray(33, 65).toString('base64url');
    const claims = decodeJwt(jwt ?? '');
    await jwtVerify(jwt ?? '', createPublicKey({ key: publicJwk, format: 'jwk' }), {
      audience: server.url,
      currentDate: new Date(((claims.exp ?? 0) - 60) * 1000),
    });
    assert.equal(claims.sub, 'mailto:ops@shop.example');
    assert.deepEqual(JSON.parse(decrypt(req.body, ua, auth)), {
      title: 'Fiyat düştü',
      body: 'Çanta 20% indirimde',
      url: 'https://shop.example/p/1',
      actions: [{ action: 'buy', title: 'Satın al' }],
    });

    server.respond(() => ({ status: 410 }));
    const gone = await provider.send(message);
    assert.ok(gone.status === 'failed' && !gone.retryable && gone.invalidToken === true);
    server.respond(() => ({ status: 429, headers: { 'retry-after': '5' } }));
    const slow = await provider.send(message);
    assert.ok(slow.status === 'failed' && slow.retryable && slow.retryAfterMs === 5000);
  } finally {
    await server.close();
  }
});
