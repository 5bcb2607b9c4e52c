import assert from 'node:assert/strict';
import { createECDH, createHmac, generateKeyPairSync, randomBytes } from 'node:crypto';
import { test, type TestContext } from 'node:test';
import webpush from 'web-push';
import {
  startLocalServer,
  type RecordedRequest,
  type StubResponse,
} from '../../channels/testing/local-server.js';
import type { EpochMs } from '../../core/brand.js';
import type { Profile } from '../../core/profiles/profile.js';
import { Dispatcher } from './dispatcher.js';
import { PROVIDER_TYPES, type ProviderType } from './provider-factory.js';
import { ProviderRegistry } from './provider-registry.js';
import { sealSecret } from './secret-box.js';
import { openDispatchFixture } from './testing/dispatch-fixture.js';

const T0 = Date.parse('2024-06-10T12:00:00Z');
const key = randomBytes(32);

interface Case {
  readonly type: ProviderType;
  readonly settings: (url: string) => Record<string, unknown>;
  readonly secrets: Record<string, unknown>;
  readonly variant: Record<string, unknown> | ((url: string) => Record<string, unknown>);
  readonly traits?: Record<string, unknown>;
  readonly profile?: (url: string) => Partial<Profile>;
  readonly respond: (req: RecordedRequest) => StubResponse;
}

/**
 * Stores the provider as `PUT /api/providers` does (secrets sealed), builds it through the registry,
 * plans one send on its channel and runs the dispatcher once; returns what the local server received.
 */
async function sendThrough(t: TestContext, c: Case) {
  const clock = () => T0 as EpochMs;
  const f = await openDispatchFixture({ now: clock });
  const server = await startLocalServer(c.respond);
  const errors: string[] = [];
  const registry = new ProviderRegistry({
    providers: f.messaging.providers,
    key,
    onError: (e) => errors.push(e),
  });
  t.after(async () => {
    await registry.close();
    await server.close();
    await f.close();
  });
  const channel = PROVIDER_TYPES[c.type].channel;
  const variant = typeof c.variant === 'function' ? c.variant(server.url) : c.variant;
  await f.saveTemplate({ id: 't', defaultLocale: 'en', variants: { [channel]: { en: variant } } });
  await f.addProfile('p1', { firstName: 'Ayşe', ...c.traits }, c.profile?.(server.url));
  await f.messaging.providers.putProvider({
    name: c.type,
    type: c.type,
    channel,
    settings: c.settings(server.url),
    secret: sealSecret(key, JSON.stringify(c.secrets)),
    updatedAt: T0 as EpochMs,
  });
  await registry.reload();
  assert.deepEqual(errors, []);
  const dispatcher = new Dispatcher({
    ...f.ports,
    lanes: () => registry.lanes(),
    clock,
    retry: { maxAttempts: 1, baseMs: 1000, maxMs: 1000 },
  });
  await f.plan(`run:n:${channel}`, 'p1', { channel, category: 'transactional' });
  await dispatcher.runOnce();
  const delivery = await f.messaging.outbox.getByKey(`run:n:${channel}`);
  return { requests: server.requests, delivery };
}

const json = (req: RecordedRequest | undefined) => JSON.parse(req?.text ?? 'null') as Record<string, any>;

test('FCM: the service-account token is fetched, then messages:send carries the push', async (t) => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const { requests, delivery } = await sendThrough(t, {
    type: 'fcm',
    settings: (u) => ({
      projectId: 'shop-app',
      clientEmail: 'push@shop-app.iam',
      tokenUri: `${u}/token`,
      baseUrl: u,
    }),
    secrets: { privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() },
    variant: { title: 'Hi', body: 'Hello {{ traits.firstName }}' },
    profile: () => ({
      pushTokens: [{ token: 'fcm-token-1', platform: 'android', updatedAt: T0 as EpochMs }],
    }),
    respond: (req) =>
      req.path === '/token'
        ? { status: 200, body: { access_token: 'ya29.token', expires_in: 3599, token_type: 'Bearer' } }
        : { status: 200, body: { name: 'projects/shop-app/messages/0:1' } },
  });
  assert.equal(delivery?.status, 'sent', delivery?.error ?? '');
  assert.equal(delivery?.providerMessageId, 'projects/shop-app/messages/0:1');
  const [token, send] = requests;
  assert.equal(
    new URLSearchParams(token?.text).get('grant_type'),
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
  );
  assert.equal(send?.path, '/v1/projects/shop-app/messages:send');
  assert.equal(send?.headers.authorization, 'Bearer ya29.token');
  assert.deepEqual(json(send).message.notification, { title: 'Hi', body: 'Hello Ayşe' });
  assert.equal(json(send).message.token, 'fcm-token-1');
});

test('WhatsApp Cloud: /{version}/{phone-number-id}/messages with the bearer token', async (t) => {
  const { requests, delivery } = await sendThrough(t, {
    type: 'whatsapp',
    settings: (u) => ({ phoneNumberId: '1055', apiVersion: 'v21.0', baseUrl: u }),
    secrets: { accessToken: 'EAAG' },
    variant: {
      type: 'template',
      template: { name: 'cart', language: 'tr', parameters: ['{{ traits.firstName }}'] },
    },
    traits: { phone: '+905321234567' },
    respond: () => ({ status: 200, body: { messaging_product: 'whatsapp', messages: [{ id: 'wamid.1' }] } }),
  });
  assert.equal(delivery?.status, 'sent', delivery?.error ?? '');
  assert.equal(delivery?.providerMessageId, 'wamid.1');
  assert.equal(requests[0]?.path, '/v21.0/1055/messages');
  assert.equal(requests[0]?.headers.authorization, 'Bearer EAAG');
  const body = json(requests[0]);
  assert.equal(body.to, '905321234567');
  assert.equal(body.template.name, 'cart');
  assert.deepEqual(body.template.components[0].parameters, [{ type: 'text', text: 'Ayşe' }]);
});

test('VAPID web push: an encrypted request to the subscription endpoint, signed for its origin', async (t) => {
  const vapid = webpush.generateVAPIDKeys();
  const ua = createECDH('prime256v1');
  ua.generateKeys();
  const keys = {
    p256dh: ua.getPublicKey().toString('base64url'),
    auth: randomBytes(16).toString('base64url'),
  };
  const { requests, delivery } = await sendThrough(t, {
    type: 'vapid',
    settings: () => ({ subject: 'mailto:ops@shop.example', publicKey: vapid.publicKey, ttlSeconds: 60 }),
    secrets: { privateKey: vapid.privateKey },
    variant: { title: 'Hi', body: 'Hello {{ traits.firstName }}' },
    profile: (u) => ({
      pushTokens: [
        {
          token: JSON.stringify({ endpoint: `${u}/push/abc`, keys }),
          platform: 'web',
          updatedAt: T0 as EpochMs,
        },
      ],
    }),
    respond: () => ({ status: 201, headers: { location: '/m/1' } }),
  });
  assert.equal(delivery?.status, 'sent', delivery?.error ?? '');
  const req = requests[0];
  assert.equal(req?.path, '/push/abc');
  assert.equal(req?.headers['content-encoding'], 'aes128gcm');
  assert.equal(req?.headers.ttl, '60');
  assert.match(String(req?.headers.authorization), new RegExp(`^vapid t=[^,]+, k=${vapid.publicKey}$`));
});

test('Standard webhook: signed with the sealed secret, verifiable per the spec', async (t) => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const { requests, delivery } = await sendThrough(t, {
    type: 'webhook',
    settings: () => ({}),
    secrets: { signingSecrets: [secret] },
    variant: (u) => ({ url: `${u}/hooks/orders`, body: '{"name":"{{ traits.firstName }}"}' }),
    respond: () => ({ status: 204 }),
  });
  assert.equal(delivery?.status, 'sent', delivery?.error ?? '');
  const req = requests[0];
  assert.equal(req?.path, '/hooks/orders');
  assert.deepEqual(json(req), { name: 'Ayşe' });
  // Written from the spec, not with the adapter's signer: HMAC-SHA256 of `id.timestamp.body`.
  const signed = `${String(req?.headers['webhook-id'])}.${String(req?.headers['webhook-timestamp'])}.${req?.text}`;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
    .update(signed)
    .digest('base64');
  assert.equal(req?.headers['webhook-signature'], `v1,${expected}`);
});

test('generic HTTP SMS: the definition as settings, its credential sealed', async (t) => {
  const { requests, delivery } = await sendThrough(t, {
    type: 'httpsms',
    settings: (u) => ({
      name: 'netgsm',
      url: `${u}/sms`,
      auth: { type: 'bearer' },
      body: '{"to":{{ to | json }},"text":{{ body | json }}}',
      messageIdPath: 'data.id',
    }),
    secrets: { credential: 'sms-token' },
    variant: { body: 'Merhaba {{ traits.firstName }}' },
    traits: { phone: '+905321234567' },
    respond: () => ({ status: 200, body: { data: { id: 'm-1' } } }),
  });
  assert.equal(delivery?.status, 'sent', delivery?.error ?? '');
  assert.equal(delivery?.providerMessageId, 'm-1');
  assert.equal(requests[0]?.path, '/sms');
  assert.equal(requests[0]?.headers.authorization, 'Bearer sms-token');
  assert.deepEqual(json(requests[0]), { to: '+905321234567', text: 'Merhaba Ayşe' });
});
