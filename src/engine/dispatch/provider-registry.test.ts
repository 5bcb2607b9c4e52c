import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import type { EpochMs } from '../../core/brand.js';
import { distinctLanes, laneFor } from './lane-key.js';
import { ProviderRegistry } from './provider-registry.js';
import { sealSecret } from './secret-box.js';
import { openDispatchFixture } from './testing/dispatch-fixture.js';

const key = randomBytes(32);
const PKCS8 = { type: 'pkcs8', format: 'pem' } as const;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export(PKCS8).toString();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export(PKCS8).toString();

const PUSH = {
  fcm: {
    settings: { projectId: 'shop-app', clientEmail: 'push@shop-app.iam' },
    secrets: { privateKey: rsa },
  },
  apns: { settings: { keyId: 'K1', teamId: 'T1', topic: 'com.shop.app' }, secrets: { signingKey: ec } },
} as const;

test('push lanes are kept per token platform: APNs for iOS, FCM for Android (and iOS without APNs)', async (t) => {
  const f = await openDispatchFixture();
  const registry = new ProviderRegistry({ providers: f.messaging.providers, key });
  t.after(async () => {
    await registry.close();
    await f.close();
  });
  const put = (name: string, type: keyof typeof PUSH) =>
    f.messaging.providers.putProvider({
      name,
      type,
      channel: 'push',
      settings: PUSH[type].settings,
      secret: sealSecret(key, JSON.stringify(PUSH[type].secrets)),
      updatedAt: 0 as EpochMs,
    });
  const served = () =>
    Object.fromEntries([...registry.lanes()].map(([k, lane]) => [k, lane.provider.name] as const));

  await put('fcm-main', 'fcm');
  await registry.reload();
  assert.deepEqual(served(), { 'push:android': 'fcm', 'push:ios': 'fcm' });
  assert.equal(distinctLanes(registry.lanes()).length, 1, 'one lane, one set of limits, for both');

  // `apns-main` sorts before `fcm-main`, `fcm-main` before `zz-apns`: either way APNs takes iOS.
  for (const apnsName of ['apns-main', 'zz-apns']) {
    await put(apnsName, 'apns');
    await registry.reload();
    assert.deepEqual(served(), { 'push:android': 'fcm', 'push:ios': 'apns' }, apnsName);
    assert.equal(laneFor(registry.lanes(), 'push', 'ios')?.provider.name, 'apns');
    assert.equal(laneFor(registry.lanes(), 'push', 'android')?.provider.name, 'fcm');
    assert.equal(laneFor(registry.lanes(), 'push', 'unknown'), undefined);
    assert.equal(distinctLanes(registry.lanes()).length, 2);
    await f.messaging.providers.deleteProvider(apnsName);
  }
});
