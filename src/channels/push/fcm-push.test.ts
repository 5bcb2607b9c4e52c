import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { jwtVerify } from 'jose';
import type { OutboundMessage } from '../channel.js';
import { FIXED_NOW, fixedClock } from '../testing/fixtures.js';
import { startLocalServer, type RecordedRequest, type StubResponse } from '../testing/local-server.js';
import { createFcmPush } from './fcm-push.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const push: OutboundMessage<'push'> = {
  idempotencyKey: 'r1:n1:push',
  channel: 'push',
  to: 'fcm-token-1',
  content: {
    channel: 'push',
    title: 'Sepetin',
    body: 'Çantan seni bekliyor',
    image: 'https://cdn.example/c.png',
    deepLink: 'shop://cart',
    data: { cart: 'c9' },
  },
};

async function start(send: (req: RecordedRequest) => StubResponse) {
  const server = await startLocalServer((req) =>
    req.path === '/token'
      ? { status: 200, body: { access_token: 'ya29.token', expires_in: 3599, token_type: 'Bearer' } }
      : send(req),
  );
  const fcm = createFcmPush({
    serviceAccount: {
      project_id: 'shop-app',
      client_email: 'push@shop-app.iam.gserviceaccount.com',
      private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      private_key_id: 'kid1',
      token_uri: `${server.url}/token`,
    },
    baseUrl: server.url,
    now: fixedClock,
  });
  return { server, fcm };
}

test('FCM v1: service-account JWT exchanged at the token URI, then messages:send with a bearer token', async () => {
  const { server, fcm } = await start(() => ({
    status: 200,
    body: { name: 'projects/shop-app/messages/0:1500415314455276%31bd1c9631bd1c96' },
  }));
  try {
    assert.deepEqual(await fcm.send(push), {
      status: 'accepted',
      providerMessageId: 'projects/shop-app/messages/0:1500415314455276%31bd1c9631bd1c96',
    });
    await fcm.send(push);
    const [token, send] = server.requests;
    assert.ok(token && send);
    assert.equal(server.requests.filter((r) => r.path === '/token').length, 1, 'the access token is cached');
    const form = new URLSearchParams(token.text);
    assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
    const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
      currentDate: new Date(FIXED_NOW),
      audience: `${server.url}/token`,
      issuer: 'push@shop-app.iam.gserviceaccount.com',
    });
    assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT', kid: 'kid1' });
    assert.equal(payload.scope, 'https://www.googleapis.com/auth/firebase.messaging');
    assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);

    assert.equal(send.path, '/v1/projects/shop-app/messages:send');
    assert.equal(send.headers.authorization, 'Bearer ya29.token');
    assert.deepEqual(JSON.parse(send.text), {
      message: {
        token: 'fcm-token-1',
        notification: { title: 'Sepetin', body: 'Çantan seni bekliyor', image: 'https://cdn.example/c.png' },
        data: { cart: 'c9', deep_link: 'shop://cart' },
        android: { notification: { click_action: 'OPEN_DEEP_LINK' } },
      },
    });
  } finally {
    await server.close();
  }
});

test('FCM errors: UNREGISTERED marks the token dead, QUOTA_EXCEEDED retries, INVALID_ARGUMENT is permanent', async () => {
  const fcmError = (code: number, status: string, errorCode: string) => ({
    status: code,
    body: {
      error: {
        code,
        message: 'm',
        status,
        details: [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode }],
      },
    },
  });
  const { server, fcm } = await start(() => fcmError(404, 'NOT_FOUND', 'UNREGISTERED'));
  try {
    const dead = await fcm.send(push);
    assert.ok(
      dead.status === 'failed' && !dead.retryable && dead.invalidToken === true,
      JSON.stringify(dead),
    );
    server.respond((req) =>
      req.path === '/token'
        ? { status: 200, body: { access_token: 't' } }
        : { ...fcmError(429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'), headers: { 'retry-after': '30' } },
    );
    const quota = await fcm.send(push);
    assert.ok(quota.status === 'failed' && quota.retryable && quota.retryAfterMs === 30_000);
    server.respond(() => fcmError(400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT'));
    const invalid = await fcm.send(push);
    assert.ok(invalid.status === 'failed' && !invalid.retryable && !invalid.invalidToken);
    server.respond(() => ({ status: 503 }));
    const down = await fcm.send(push);
    assert.ok(down.status === 'failed' && down.retryable);
  } finally {
    await server.close();
  }
});
