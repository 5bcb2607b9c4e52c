import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import { createProfile, setTraits, type Profile, type PushToken } from '../../core/profiles/profile.js';
import { addressesOf, chooseChannel, type ChoiceInput } from './choose-channel.js';
import { DEFAULT_CONSENT_POLICY } from './consent-policy.js';
import { laneKeysOf, pushPlatformsOf, type LaneKey } from './lane-key.js';

const T0 = 1_700_000_000_000 as EpochMs;

/** A person with an email address and these push tokens (`[token, platform, minutes after T0]`). */
function person(tokens: readonly (readonly [string, PushToken['platform'], number])[]): Profile {
  const base = setTraits(createProfile('p1' as ProfileId, T0, 'server'), { email: 'ada@example.com' }, T0);
  const pushTokens = tokens.map(([token, platform, min]) => ({
    token,
    platform,
    updatedAt: (T0 + min * 60_000) as EpochMs,
  }));
  return { ...base, pushTokens };
}

/** A named push send to `profile`, with the lanes the registry built from these provider types. */
function choosePush(
  profile: Profile,
  providers: readonly string[],
  extra: Partial<ChoiceInput> = {},
): ReturnType<typeof chooseChannel> {
  const configured = new Set(providers);
  const available = new Set<LaneKey>(providers.flatMap((t) => laneKeysOf('push', t, configured)));
  return chooseChannel({
    choice: 'push',
    profile,
    category: 'marketing',
    subscriptions: {},
    policy: DEFAULT_CONSENT_POLICY,
    suppressed: new Set(),
    available,
    ...extra,
  });
}

const IOS = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
const ANDROID = 'fMEP0vJqS0:APA91bHqX0yL5n2mEbR7cYt1kQ8vZ3wXjN6pUd4sA9gF2hK7lO0iB5eC3rT8yV1uW6qM';

test('APNs serves iOS tokens; FCM serves Android, and iOS only when no APNs provider is configured', () => {
  assert.deepEqual(pushPlatformsOf('apns', new Set(['apns'])), ['ios']);
  assert.deepEqual(pushPlatformsOf('apns', new Set(['apns', 'fcm'])), ['ios']);
  assert.deepEqual(pushPlatformsOf('fcm', new Set(['fcm'])), ['android', 'ios']);
  assert.deepEqual(pushPlatformsOf('fcm', new Set(['fcm', 'apns'])), ['android']);
  assert.deepEqual(pushPlatformsOf('vapid', new Set(['vapid'])), []);
  assert.deepEqual(laneKeysOf('push', 'fcm', new Set(['fcm'])), ['push:android', 'push:ios']);
  assert.deepEqual(laneKeysOf('email', 'smtp', new Set(['smtp', 'apns'])), ['email']);
});

test('push addresses carry their platform, newest first; web push subscriptions are not among them', () => {
  const p = person([
    [IOS, 'ios', 1],
    [ANDROID, 'android', 2],
    ['{"endpoint":"https://push.example/1","keys":{"p256dh":"k","auth":"a"}}', 'web', 3],
  ]);
  assert.deepEqual(addressesOf(p, 'push'), [
    { to: ANDROID, key: ANDROID, platform: 'android' },
    { to: IOS, key: IOS, platform: 'ios' },
  ]);
  assert.deepEqual(
    addressesOf(p, 'webpush').map((a) => a.key),
    ['https://push.example/1'],
  );
});

test('with APNs and FCM both configured, each token goes to its own platform lane', () => {
  const ios = choosePush(person([[IOS, 'ios', 1]]), ['apns', 'fcm']);
  assert.ok(ios.ok);
  assert.deepEqual(ios.address, { to: IOS, key: IOS, platform: 'ios' });
  assert.equal(ios.reason, 'named');
  const android = choosePush(person([[ANDROID, 'android', 1]]), ['apns', 'fcm']);
  assert.ok(android.ok);
  assert.equal(android.address.platform, 'android');
  assert.equal(android.reason, 'named');
});

test('FCM alone serves iOS tokens too; APNs alone does not serve Android tokens', () => {
  const viaFcm = choosePush(person([[IOS, 'ios', 1]]), ['fcm']);
  assert.ok(viaFcm.ok);
  assert.equal(viaFcm.address.key, IOS);
  assert.deepEqual(choosePush(person([[ANDROID, 'android', 1]]), ['apns']), {
    ok: false,
    reason: 'push: no provider for android tokens',
  });
});

test('the newest token whose platform has a provider is chosen, with a note saying so', () => {
  const p = person([
    [ANDROID, 'android', 1],
    [IOS, 'ios', 2],
  ]);
  // APNs configured but its credentials failed: FCM keeps to Android, and no lane serves iOS.
  const apnsBroken = { available: new Set<LaneKey>(['push:android']) };
  const d = choosePush(p, [], apnsBroken);
  assert.ok(d.ok);
  assert.deepEqual(d.address, { to: ANDROID, key: ANDROID, platform: 'android' });
  assert.equal(d.reason, 'named (push: no provider for ios tokens, android token used)');
  const both = choosePush(p, ['apns', 'fcm']);
  assert.ok(both.ok);
  assert.equal(both.address.key, IOS, 'with both lanes, the newer iPhone');
});

test('no servable token: skipped with a reason naming the platforms; a list moves on to the next channel', () => {
  const p = person([
    [IOS, 'ios', 1],
    ['t-unknown', 'unknown', 2],
  ]);
  const emailOnly = { available: new Set<LaneKey>(['email']) };
  assert.deepEqual(choosePush(p, [], emailOnly), { ok: false, reason: 'push: no provider' });
  const apnsBroken = { available: new Set<LaneKey>(['push:android', 'email']) };
  assert.deepEqual(choosePush(p, [], apnsBroken), {
    ok: false,
    reason: 'push: no provider for unknown or ios tokens',
  });
  const listed = choosePush(p, [], { ...apnsBroken, choice: ['push', 'email'] });
  assert.ok(listed.ok);
  assert.equal(listed.channel, 'email');
  assert.equal(listed.reason, 'first usable of the list (push: no provider for unknown or ios tokens)');
  assert.deepEqual(choosePush(person([]), ['fcm']), { ok: false, reason: 'push: no address' });
});

test('a token of unknown platform goes to no registry provider; a plain push lane (a stand-in) serves it', () => {
  const unknown = person([['t-unknown', 'unknown', 1]]);
  assert.deepEqual(choosePush(unknown, ['fcm']), {
    ok: false,
    reason: 'push: no provider for unknown tokens',
  });
  const d = choosePush(unknown, [], { available: new Set<LaneKey>(['push']) });
  assert.ok(d.ok);
  assert.equal(d.address.key, 't-unknown');
});

test('the token chosen is the one checked against suppressions', () => {
  const p = person([
    [ANDROID, 'android', 1],
    [IOS, 'ios', 2],
  ]);
  const suppressedIos = { suppressed: new Set([`push:${IOS}`]) };
  assert.deepEqual(choosePush(p, ['apns', 'fcm'], suppressedIos), {
    ok: false,
    reason: 'push: address suppressed',
  });
  const androidOnly = { available: new Set<LaneKey>(['push:android']) };
  const d = choosePush(p, [], { ...androidOnly, ...suppressedIos });
  assert.ok(d.ok, 'the suppressed iPhone is not served anyway; the Android token is');
  assert.equal(d.address.key, ANDROID);
});
