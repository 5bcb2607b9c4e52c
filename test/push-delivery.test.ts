import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Http2Session, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { jwtVerify } from 'jose';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { PUSH_TOKEN_INVALIDATED } from '../src/core/messages/internal-message.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

// Mobile push through the running product: providers configured through the admin API, the device
// token captured by `/v1/identify` (`context.device`), sends planned by `POST /api/sends`, and each
// provider played by a loopback server that speaks its documented API and checks the request shape.
// Each provider first gets a runtime of its own; then both run in one, where push is routed by the
// token's platform (APNs for iOS, FCM for Android) and one provider's dead-token answer touches only
// the tokens routed to it.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PKCS8 = { type: 'pkcs8', format: 'pem' } as const;

const template = {
  id: 'cart',
  defaultLocale: 'en',
  variants: {
    push: { en: { title: 'Sepetin', body: 'Merhaba {{ traits.firstName }}', data: { cart: 'c9' } } },
  },
};

/** What a provider stand-in answers: a 200 with a message id, or the provider's own "token is dead". */
type Answer = 'accept' | 'dead-token';

/** A push provider as the product sees it from the outside: its admin API config and its stand-in. */
interface PushProviderCase {
  readonly type: 'apns' | 'fcm';
  readonly platform: 'ios' | 'android';
  readonly token: string;
  /** `PUT /api/providers/:name` body pointing at the stand-in. */
  provider(): Record<string, unknown>;
  /** Notification requests (not token exchanges) the stand-in has received. */
  sends(): number;
  /** The device token of each notification request, in order. */
  recipients(): string[];
  answer(next: Answer): void;
  /**
   * Checks the requests of the first (accepted) send, to a person of this first name; returns the
   * message id the provider gave.
   */
  checkAccepted(firstName?: string): Promise<string>;
  close(): Promise<void>;
}

/** The slices of the admin API's answers this test reads. */
interface Delivery {
  readonly id: number;
  readonly idempotencyKey: string;
  readonly status: string;
  readonly provider?: string;
  readonly providerMessageId?: string;
  readonly address?: string;
  readonly attempts: number;
  readonly error?: string;
  readonly reason?: string;
  readonly history: readonly { status: string }[];
}
interface ProfileView {
  readonly channels: { push: { token: string; platform: string; appId?: string }[] };
}
interface TimelineEvent {
  readonly event?: string;
  readonly properties: Record<string, unknown>;
}

/** A request as the HTTP/2 stand-in received it. */
interface Http2Request {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/**
 * A plaintext HTTP/2 (h2c) stand-in for APNs on loopback: the APNs provider connects to its
 * `baseUrl` with `node:http2`, so `http://` gives h2c and no certificate is needed. It answers as
 * "Handling notification responses from APNs" documents: `apns-id` echoed, 410 `Unregistered`.
 */
async function startApns(): Promise<PushProviderCase> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const requests: Http2Request[] = [];
  const sessions = new Set<Http2Session>();
  let next: Answer = 'accept';
  const server = createServer();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      requests.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
      const apnsId = String(headers['apns-id']);
      if (next === 'accept') {
        stream.respond({ ':status': 200, 'apns-id': apnsId });
        stream.end();
        return;
      }
      stream.respond({ ':status': 410, 'apns-id': apnsId, 'content-type': 'application/json' });
      stream.end(JSON.stringify({ reason: 'Unregistered', timestamp: Date.now() }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const token = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
  return {
    type: 'apns',
    platform: 'ios',
    token,
    provider: () => ({
      type: 'apns',
      settings: { keyId: 'ABC123DEFG', teamId: 'DEF123GHIJ', topic: 'com.shop.app', baseUrl: url },
      secrets: { signingKey: privateKey.export(PKCS8).toString() },
    }),
    sends: () => requests.length,
    recipients: () =>
      requests.map((r) => decodeURIComponent(String(r.headers[':path']).slice('/3/device/'.length))),
    answer: (a) => {
      next = a;
    },
    async checkAccepted(firstName = 'Ada') {
      assert.equal(requests.length, 1);
      const { headers, body } = requests[0]!;
      assert.equal(headers[':method'], 'POST');
      assert.equal(headers[':path'], `/3/device/${token}`);
      assert.equal(headers['apns-topic'], 'com.shop.app');
      assert.equal(headers['apns-push-type'], 'alert');
      assert.match(String(headers['apns-id']), UUID);
      const auth = String(headers.authorization);
      assert.match(auth, /^bearer [\w-]+\.[\w-]+\.[\w-]+$/);
      const { payload, protectedHeader } = await jwtVerify(auth.slice('bearer '.length), publicKey, {
        algorithms: ['ES256'],
        issuer: 'DEF123GHIJ',
      });
      assert.deepEqual(protectedHeader, { alg: 'ES256', kid: 'ABC123DEFG' });
      assert.equal(typeof payload.iat, 'number');
      assert.ok(Math.abs(payload.iat! * 1000 - Date.now()) < 60_000, 'iat is now');
      assert.deepEqual(JSON.parse(body), {
        aps: { alert: { title: 'Sepetin', body: `Merhaba ${firstName}` }, sound: 'default' },
        cart: 'c9',
      });
      return String(headers['apns-id']);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sessions) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * A stand-in for Google's OAuth token endpoint and FCM HTTP v1 on one loopback HTTP server: the
 * service account's `token_uri` points at `/token`, `baseUrl` at the server. Errors follow
 * firebase.google.com/docs/reference/fcm/rest/v1/ErrorCode (404 NOT_FOUND, `UNREGISTERED`).
 */
async function startFcm(): Promise<PushProviderCase> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let next: Answer = 'accept';
  const messageId = 'projects/shop-app/messages/0:1500415314455276%31bd1c9631bd1c96';
  const server: LocalServer = await startLocalServer((req) => {
    if (req.path === '/token')
      return { status: 200, body: { access_token: 'ya29.local', expires_in: 3599, token_type: 'Bearer' } };
    if (next === 'accept') return { status: 200, body: { name: messageId } };
    return {
      status: 404,
      body: {
        error: {
          code: 404,
          message: 'Requested entity was not found.',
          status: 'NOT_FOUND',
          details: [
            { '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: 'UNREGISTERED' },
          ],
        },
      },
    };
  });
  const token = 'fMEP0vJqS0:APA91bHqX0yL5n2mEbR7cYt1kQ8vZ3wXjN6pUd4sA9gF2hK7lO0iB5eC3rT8yV1uW6qM';
  return {
    type: 'fcm',
    platform: 'android',
    token,
    provider: () => ({
      type: 'fcm',
      settings: {
        projectId: 'shop-app',
        clientEmail: 'push@shop-app.iam.gserviceaccount.com',
        privateKeyId: 'kid1',
        tokenUri: `${server.url}/token`,
        baseUrl: server.url,
      },
      secrets: { privateKey: privateKey.export(PKCS8).toString() },
    }),
    sends: () => server.requests.filter((r) => r.path !== '/token').length,
    recipients: () =>
      server.requests
        .filter((r) => r.path !== '/token')
        .map((r) => (JSON.parse(r.text) as { message: { token: string } }).message.token),
    answer: (a) => {
      next = a;
    },
    async checkAccepted(firstName = 'Ada') {
      const [exchange, send] = server.requests;
      assert.ok(exchange && send && server.requests.length === 2, 'one token exchange, then one send');
      assert.equal(exchange.method, 'POST');
      assert.equal(exchange.path, '/token');
      assert.match(String(exchange.headers['content-type']), /^application\/x-www-form-urlencoded/);
      const form = new URLSearchParams(exchange.text);
      assert.equal(form.get('grant_type'), 'urn:ietf:params:oauth:grant-type:jwt-bearer');
      const { payload, protectedHeader } = await jwtVerify(form.get('assertion') ?? '', publicKey, {
        algorithms: ['RS256'],
        issuer: 'push@shop-app.iam.gserviceaccount.com',
        audience: `${server.url}/token`,
      });
      assert.deepEqual(protectedHeader, { alg: 'RS256', typ: 'JWT', kid: 'kid1' });
      assert.equal(payload.scope, 'https://www.googleapis.com/auth/firebase.messaging');
      assert.equal((payload.exp ?? 0) - (payload.iat ?? 0), 3600);

      assert.equal(send.method, 'POST');
      assert.equal(send.path, '/v1/projects/shop-app/messages:send');
      assert.equal(send.headers.authorization, 'Bearer ya29.local');
      assert.deepEqual(JSON.parse(send.text), {
        message: {
          token,
          notification: { title: 'Sepetin', body: `Merhaba ${firstName}` },
          data: { cart: 'c9' },
        },
      });
      return messageId;
    },
    close: () => server.close(),
  };
}

/** The admin and ingestion calls these tests make against one running Orkestra. */
function productApi(rt: TestRuntime) {
  const call = async <T = unknown>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> => {
    const answer = await rt.call(method, path, body);
    return { status: answer.status, body: answer.body };
  };
  return {
    call,
    /** `/v1/identify` with a device (`context.device`) as of `timestamp`; answers the profile id. */
    async identify(
      userId: string,
      device: { type: string; token: string },
      options: { firstName?: string; timestamp?: string } = {},
    ): Promise<string> {
      const identified = await rt.send('/v1/identify', {
        userId,
        traits: { firstName: options.firstName ?? 'Ada' },
        context: { device, app: { namespace: 'com.shop.app' } },
        ...(options.timestamp ? { timestamp: options.timestamp } : {}),
      });
      assert.equal(identified.status, 200);
      await rt.settle();
      const found = await call<{ items: { id: string }[] }>('GET', `/api/profiles?q=${userId}`);
      return found.body.items[0]!.id;
    },
    /** Plans a push and waits, up to 5 s, until the dispatcher has settled it. */
    async sendPush(key: string, profileId: string): Promise<Delivery> {
      const planned = await call('POST', '/api/sends', {
        idempotencyKey: key,
        profileId,
        templateId: 'cart',
        channel: 'push',
      });
      assert.equal(planned.status, 201, JSON.stringify(planned.body));
      for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
        const d = (await call<Delivery>('GET', `/api/deliveries/${key}`)).body;
        if (d.status !== 'pending' && d.status !== 'sending') return d;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      assert.fail(`delivery ${key} was not settled within 5 s`);
    },
    pushTokens: async (profileId: string) =>
      (await call<ProfileView>('GET', `/api/profiles/${profileId}`)).body.channels.push,
    /** The person's `Push Token Invalidated` events. */
    async invalidations(profileId: string): Promise<TimelineEvent[]> {
      const timeline = await call<{ items: TimelineEvent[] }>(
        'GET',
        `/api/profiles/${profileId}/events?limit=100`,
      );
      return timeline.body.items.filter((e) => e.event === PUSH_TOKEN_INVALIDATED);
    },
  };
}

const PROVIDERS = [
  ['APNs (HTTP/2, token auth)', startApns],
  ['FCM HTTP v1', startFcm],
] as const;

for (const [name, start] of PROVIDERS) {
  describe(`mobile push through ${name}`, () => {
    let rt: TestRuntime;
    let api: ReturnType<typeof productApi>;
    let provider: PushProviderCase;
    let profileId: string;

    const call = <T = unknown>(method: string, path: string, body?: unknown) =>
      api.call<T>(method, path, body);
    const sendPush = (key: string) => api.sendPush(key, profileId);
    const pushTokens = () => api.pushTokens(profileId);

    before(async () => {
      provider = await start();
      rt = await startTestRuntime({ engineThread: 'inline' });
      api = productApi(rt);
      profileId = await api.identify('ada', { type: provider.platform, token: provider.token });
      assert.equal((await call('POST', '/api/templates', template)).status, 201);
      const put = await call('PUT', `/api/providers/${provider.type}-main`, provider.provider());
      assert.equal(put.status, 200, JSON.stringify(put.body));
    });
    after(async () => {
      await rt.close();
      await provider.close();
    });

    test('the token from context.device is used; the provider gets a documented request', async () => {
      assert.deepEqual(
        (await pushTokens()).map((t) => [t.token, t.platform, t.appId]),
        [[provider.token, provider.platform, 'com.shop.app']],
      );
      const sent = await sendPush('push:1');
      assert.equal(sent.status, 'sent', JSON.stringify(sent));
      assert.equal(sent.provider, provider.type);
      assert.equal(sent.address, provider.token);
      const messageId = await provider.checkAccepted();
      assert.equal(sent.providerMessageId, messageId);
      const log = await call<{ items: Delivery[] }>('GET', `/api/deliveries?profileId=${profileId}`);
      assert.deepEqual(
        log.body.items.map((d) => [d.idempotencyKey, d.status, d.providerMessageId]),
        [['push:1', 'sent', messageId]],
      );
    });

    test('a dead token: the delivery fails once, the token leaves the profile, later sends skip it', async () => {
      provider.answer('dead-token');
      const before = provider.sends();
      const dead = await sendPush('push:2');
      assert.equal(dead.status, 'dead', JSON.stringify(dead));
      assert.equal(dead.attempts, 1, 'not retried');
      assert.equal(dead.provider, provider.type);
      assert.equal(provider.sends(), before + 1);
      assert.match(
        dead.error ?? '',
        provider.type === 'apns' ? /apns 410: Unregistered/ : /fcm 404.*UNREGISTERED/,
      );
      assert.deepEqual(
        dead.history.map((h) => h.status),
        ['planned', 'sending', 'dead'],
      );

      await rt.settle();
      assert.deepEqual(await pushTokens(), [], 'the dead token is no longer listed');
      const invalidated = await api.invalidations(profileId);
      assert.equal(invalidated.length, 1, JSON.stringify(invalidated));
      assert.equal(invalidated[0]!.properties.token, provider.token);
      assert.equal(invalidated[0]!.properties.deliveryId, dead.id);
      assert.equal(invalidated[0]!.properties.idempotencyKey, 'push:2');
      assert.equal(invalidated[0]!.properties.provider, provider.type, 'the provider that said so');

      const later = await sendPush('push:3');
      assert.equal(later.status, 'skipped', JSON.stringify(later));
      assert.match(later.reason ?? '', /push: no address/);
      assert.equal(provider.sends(), before + 1, 'the provider gets no request for a removed token');
    });
  });
}

describe('mobile push through APNs and FCM in one runtime: routed by the token platform', () => {
  let rt: TestRuntime;
  let api: ReturnType<typeof productApi>;
  let apns: PushProviderCase;
  let fcm: PushProviderCase;
  /** Ada has an iPhone, Bob an Android phone, Cem both (the Android one used last). */
  const id = { ada: '', bob: '', cem: '' };
  const cemIos = 'c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00';
  const cemAndroid = 'cEmPx9:APA91bFz2LqW7xYtR4uV8nM3kJ6hG1fD5sA0pO9iU2yT7rE4wQ';

  before(async () => {
    [apns, fcm] = await Promise.all([startApns(), startFcm()]);
    rt = await startTestRuntime({ engineThread: 'inline' });
    api = productApi(rt);
    id.ada = await api.identify('ada', { type: 'ios', token: apns.token });
    id.bob = await api.identify('bob', { type: 'android', token: fcm.token }, { firstName: 'Bob' });
    const earlier = new Date(Date.now() - 60_000).toISOString();
    await api.identify('cem', { type: 'ios', token: cemIos }, { firstName: 'Cem', timestamp: earlier });
    id.cem = await api.identify('cem', { type: 'android', token: cemAndroid }, { firstName: 'Cem' });
    assert.equal((await api.call('POST', '/api/templates', template)).status, 201);
    // `apns-main` sorts first: with one provider per channel, it used to get every push.
    for (const p of [apns, fcm]) {
      const put = await api.call('PUT', `/api/providers/${p.type}-main`, p.provider());
      assert.equal(put.status, 200, JSON.stringify(put.body));
    }
  });
  after(async () => {
    await rt.close();
    await Promise.all([apns.close(), fcm.close()]);
  });

  test('an iOS token goes to APNs and an Android token to FCM, each only there', async () => {
    const toAda = await api.sendPush('both:ada:1', id.ada);
    const toBob = await api.sendPush('both:bob:1', id.bob);
    assert.deepEqual([toAda.status, toAda.provider, toAda.address], ['sent', 'apns', apns.token]);
    assert.deepEqual([toBob.status, toBob.provider, toBob.address], ['sent', 'fcm', fcm.token]);
    assert.equal(toAda.providerMessageId, await apns.checkAccepted('Ada'));
    assert.equal(toBob.providerMessageId, await fcm.checkAccepted('Bob'));
    assert.deepEqual(apns.recipients(), [apns.token], 'APNs never sees the Android token');
    assert.deepEqual(fcm.recipients(), [fcm.token], 'FCM never sees the iOS token');
  });

  test("FCM's UNREGISTERED removes only the Android token it was sent; the iPhone still gets push", async () => {
    fcm.answer('dead-token');
    const toBob = await api.sendPush('both:bob:2', id.bob);
    const toCem = await api.sendPush('both:cem:1', id.cem);
    for (const [d, token] of [
      [toBob, fcm.token],
      [toCem, cemAndroid],
    ] as const) {
      assert.deepEqual([d.status, d.provider, d.address, d.attempts], ['dead', 'fcm', token, 1]);
      assert.match(d.error ?? '', /fcm 404.*UNREGISTERED/);
    }
    assert.deepEqual(fcm.recipients(), [fcm.token, fcm.token, cemAndroid]);
    assert.deepEqual(apns.recipients(), [apns.token], 'no retry on APNs with an FCM token');

    await rt.settle();
    assert.deepEqual(await api.pushTokens(id.bob), []);
    assert.deepEqual(
      (await api.pushTokens(id.cem)).map((t) => [t.token, t.platform]),
      [[cemIos, 'ios']],
      "only Cem's Android token left",
    );
    assert.deepEqual(
      (await api.pushTokens(id.ada)).map((t) => [t.token, t.platform]),
      [[apns.token, 'ios']],
    );
    for (const [who, token] of [
      [id.bob, fcm.token],
      [id.cem, cemAndroid],
    ] as const) {
      const events = await api.invalidations(who);
      assert.deepEqual(
        events.map((e) => [e.properties.token, e.properties.provider]),
        [[token, 'fcm']],
      );
    }
    assert.deepEqual(await api.invalidations(id.ada), []);

    const again = await api.sendPush('both:cem:2', id.cem);
    assert.deepEqual([again.status, again.provider, again.address], ['sent', 'apns', cemIos]);
    assert.deepEqual(apns.recipients(), [apns.token, cemIos]);
  });
});
