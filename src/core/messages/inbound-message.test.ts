import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SegmentMessage } from './segment-schema.js';
import {
  channelOf,
  normalizeMessage,
  normalizeMessageInPlace,
  restoreSent,
  type SentFields,
} from './inbound-message.js';

const received = Date.parse('2024-03-01T12:00:10.000Z');
const ctx = { receivedAt: received, newMessageId: () => 'generated' };

test('client clock skew is corrected: timestamp = receivedAt − (sentAt − originalTimestamp)', () => {
  // The client's clock is one hour fast: it says it sent at 13:00:05 something that happened at 13:00:00.
  const m = normalizeMessage(
    {
      type: 'track',
      userId: 'u',
      event: 'x',
      originalTimestamp: '2024-03-01T13:00:00.000Z',
      sentAt: '2024-03-01T13:00:05.000Z',
    },
    ctx,
  );
  assert.equal(m.timestamp, '2024-03-01T12:00:05.000Z');
  assert.equal(m.receivedAt, '2024-03-01T12:00:10.000Z');
  assert.equal(m.originalTimestamp, '2024-03-01T13:00:00.000Z');
});

test('a batch-level sentAt applies to its messages; a timestamp without sentAt is kept', () => {
  const withBatch = normalizeMessage(
    { type: 'track', userId: 'u', event: 'x', timestamp: '2024-03-01T11:00:00.000Z' },
    { ...ctx, batchSentAt: '2024-03-01T11:00:01.000Z' },
  );
  assert.equal(withBatch.timestamp, '2024-03-01T12:00:09.000Z');
  const historical = normalizeMessage(
    { type: 'track', userId: 'u', event: 'x', timestamp: '2020-01-01T00:00:00Z' },
    ctx,
  );
  assert.equal(historical.timestamp, '2020-01-01T00:00:00.000Z');
});

test('no client time means now; a missing messageId is generated; null ids are dropped', () => {
  const m = normalizeMessage({ type: 'page', userId: 'u', anonymousId: null }, ctx);
  assert.equal(m.timestamp, '2024-03-01T12:00:10.000Z');
  assert.equal(m.messageId, 'generated');
  assert.equal('anonymousId' in m, false);
});

test('batch context merges under the message context', () => {
  const m = normalizeMessage(
    { type: 'track', userId: 'u', event: 'x', context: { ip: '1' } },
    { ...ctx, batchContext: { ip: '0', library: { name: 'x' } } },
  );
  assert.deepEqual(m.context, { ip: '1', library: { name: 'x' } });
});

test('the channel is read from the context', () => {
  assert.equal(channelOf(undefined), 'server');
  assert.equal(channelOf({ library: { name: 'analytics-node' } }), 'server');
  assert.equal(channelOf({ library: { name: 'analytics.js' } }), 'web');
  assert.equal(channelOf({ userAgent: 'Mozilla/5.0' }), 'web');
  assert.equal(channelOf({ device: { type: 'ios' } }), 'ios');
  assert.equal(channelOf({ os: { name: 'Android' } }), 'android');
  assert.equal(channelOf({ library: { name: 'analytics-ios' } }), 'ios');
});

test('settled in place, a message equals its settled copy, and restoreSent gives back the message as sent', () => {
  const messages: SegmentMessage[] = [
    {
      type: 'track',
      userId: 'u',
      event: 'x',
      originalTimestamp: '2024-03-01T13:00:00.000Z',
      sentAt: '2024-03-01T13:00:05.000Z',
    },
    { type: 'track', userId: 'u', event: 'x', timestamp: '2020-01-01T00:00:00Z', messageId: 'm-1' },
    { type: 'page', userId: 'u', anonymousId: null, properties: { path: '/' } },
    { type: 'identify', userId: null, anonymousId: 'a', traits: { email: 'a@b.co' }, context: { ip: '1' } },
    { type: 'alias', userId: 'u', previousId: 'a', integrations: { All: false } },
  ];
  const contexts = [
    ctx,
    { ...ctx, receivedAtIso: new Date(received).toISOString(), batchSentAt: '2024-03-01T12:00:09.000Z' },
    { ...ctx, batchContext: { ip: '0', library: { name: 'x' } }, batchIntegrations: { Mixpanel: true } },
  ];
  const undo: SentFields = [];
  for (const context of contexts)
    for (const message of messages) {
      const sent = JSON.stringify(message);
      const own = JSON.parse(sent) as SegmentMessage;
      const settled = normalizeMessageInPlace(own, context, undo);
      assert.equal(settled, own, 'the same object');
      assert.deepEqual(settled, normalizeMessage(message, context));
      assert.equal(JSON.stringify(message), sent, 'normalizeMessage leaves its argument alone');
      const restored = restoreSent(settled, undo);
      assert.deepEqual(restored, JSON.parse(sent));
      assert.equal(JSON.stringify(restored).length, sent.length, 'as sent, to the byte');
      // Settled again from there, it is the same again.
      assert.deepEqual(normalizeMessageInPlace(own, context, undo), normalizeMessage(message, context));
    }
});
