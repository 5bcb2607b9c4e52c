import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs, ProfileId } from '../brand.js';
import type { InboundMessage } from '../messages/inbound-message.js';
import { identityKey } from '../profiles/identity.js';
import { foldMessagingEvents } from './fold-messaging-events.js';
import { createProfile, type Profile } from '../profiles/profile.js';
import { resolveBatch } from '../profiles/resolve-batch.js';

const at = 1_700_000_000_000 as EpochMs;
const track = (event: string, properties: Record<string, unknown>, internal = true) => ({
  seq: 1,
  profileId: 'prf_1' as ProfileId,
  timestamp: at,
  message: {
    type: 'track',
    messageId: `m-${event}`,
    userId: 'ada',
    event,
    properties,
    ...(internal ? { context: { library: { name: 'orkestra' } } } : {}),
    timestamp: new Date(at).toISOString(),
    receivedAt: new Date(at).toISOString(),
  } as InboundMessage,
});

test('Subscribed and Unsubscribed set channel and topic subscriptions, in order', () => {
  const p = createProfile('prf_1' as ProfileId, at, 'web');
  const out = foldMessagingEvents(p, [
    track('Unsubscribed', { channel: 'email' }),
    track('Unsubscribed', { channel: 'email', topic: 'newsletter' }),
    track('Subscribed', { channel: 'email' }, false),
    track('Unsubscribed', { channel: 'fax' }),
  ]);
  assert.deepEqual(out.subscriptions, { email: true, 'email:newsletter': false });
});

test('Push Token Invalidated removes the token (or the web push subscription with that endpoint)', () => {
  const web = JSON.stringify({ endpoint: 'https://push.example/e1', keys: { p256dh: 'k', auth: 'a' } });
  const p: Profile = {
    ...createProfile('prf_1' as ProfileId, at, 'ios'),
    pushTokens: [
      { token: 'apns-1', platform: 'ios', updatedAt: at },
      { token: web, platform: 'web', updatedAt: at },
    ],
  };
  const out = foldMessagingEvents(p, [
    track('Push Token Invalidated', { token: 'apns-1' }),
    track('Push Token Invalidated', { token: 'https://push.example/e1' }),
  ]);
  assert.deepEqual(out.pushTokens, []);
  const outside = foldMessagingEvents(p, [track('Push Token Invalidated', { token: 'apns-1' }, false)]);
  assert.equal(outside.pushTokens.length, 2, "only Orkestra's own event removes tokens");
});

test("Orkestra's own events do not change the last channel or last-seen time", () => {
  const p = createProfile('prf_1' as ProfileId, at, 'ios');
  const later = new Date(at + 60_000).toISOString();
  const message = {
    type: 'track',
    messageId: 'o1',
    userId: 'ada',
    event: 'Email Opened',
    context: { library: { name: 'orkestra' } },
    timestamp: later,
    receivedAt: later,
  } as InboundMessage;
  const plan = resolveBatch(
    [{ seq: 1, message }],
    {
      identities: new Map([[identityKey('user_id', 'ada'), p.id]]),
      profiles: new Map([[p.id, { ...p, userIds: ['ada'] }]]),
    },
    { mergeOnEmail: true, newProfileId: () => 'prf_new' as ProfileId },
  );
  const after = plan.profiles[0]!;
  assert.equal(after.lastChannel, 'ios');
  assert.equal(after.lastSeenAt, at);
  assert.equal(after.eventCount, 1);
});
