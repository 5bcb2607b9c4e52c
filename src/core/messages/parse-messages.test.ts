import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBatch, parseMessage, utf8Length } from './parse-messages.js';

const issues = (r: { ok: boolean; error?: unknown }) =>
  r.ok ? [] : (r.error as { path: string; rule: string }[]);

test('a valid track passes and unknown fields are kept', () => {
  const r = parseMessage({ type: 'track', userId: 42, event: 'Order Completed', custom: { a: 1 } });
  assert.ok(r.ok);
  assert.equal(r.value.userId, '42', 'numeric ids become strings, as Segment does');
  assert.deepEqual((r.value as Record<string, unknown>).custom, { a: 1 });
});

test('every message but alias needs userId or anonymousId', () => {
  assert.deepEqual(issues(parseMessage({ type: 'track', event: 'x' })), [
    { path: '$.userId', rule: 'identity_required', message: 'userId or anonymousId is required' },
  ]);
  assert.ok(parseMessage({ type: 'alias', previousId: 'a', userId: 'b' }).ok);
  const alias = issues(parseMessage({ type: 'alias', userId: 'b' }));
  assert.deepEqual(
    alias.map((i) => [i.path, i.rule]),
    [['$.previousId', 'required']],
  );
});

test('wrong types and missing event are named with their path and rule', () => {
  const r = issues(
    parseMessage({ type: 'track', userId: 'u', event: 5, properties: 'no', timestamp: 'yesterday' }),
  );
  assert.deepEqual(r.map((i) => [i.path, i.rule]).sort(), [
    ['$.event', 'type:string'],
    ['$.properties', 'type:record'],
    ['$.timestamp', 'type'],
  ]);
});

test('an endpoint implies the type and refuses a different one', () => {
  assert.ok(parseMessage({ userId: 'u', event: 'x' }, { impliedType: 'track' }).ok);
  assert.deepEqual(
    issues(parseMessage({ type: 'identify', userId: 'u' }, { impliedType: 'track' })).map((i) => i.path),
    ['$.type'],
  );
});

test('messageId is limited to 100 characters', () => {
  const r = issues(parseMessage({ type: 'track', userId: 'u', event: 'x', messageId: 'm'.repeat(101) }));
  assert.deepEqual(
    r.map((i) => [i.path, i.rule]),
    [['$.messageId', 'max:100']],
  );
});

test('a message over 32 KB is refused', () => {
  const r = issues(
    parseMessage({ type: 'track', userId: 'u', event: 'x', properties: { blob: 'é'.repeat(17_000) } }),
  );
  assert.deepEqual(
    r.map((i) => [i.path, i.rule]),
    [['$', 'max_bytes:32768']],
  );
  assert.ok(
    parseMessage({ type: 'track', userId: 'u', event: 'x', properties: { blob: 'a'.repeat(30_000) } }).ok,
  );
});

test('a batch names every bad message by index, and refuses more than 2,500', () => {
  const r = issues(
    parseBatch({
      batch: [{ type: 'track', userId: 'u', event: 'ok' }, { type: 'track', event: 'x' }, { type: 'nope' }],
    }),
  );
  assert.deepEqual(
    r.map((i) => [i.path, i.rule]),
    [
      ['$.batch[1].userId', 'identity_required'],
      ['$.batch[2].type', 'type'],
    ],
  );
  const big = { batch: Array.from({ length: 2501 }, () => ({ type: 'track', userId: 'u', event: 'x' })) };
  assert.deepEqual(
    issues(parseBatch(big)).map((i) => [i.path, i.rule]),
    [['$.batch', 'max:2500']],
  );
  assert.deepEqual(
    issues(parseBatch({ nope: [] })).map((i) => [i.path, i.rule]),
    [['$.batch', 'required']],
  );
  assert.deepEqual(
    issues(parseBatch([])).map((i) => [i.path, i.rule]),
    [['$', 'type:object']],
  );
});

test('utf8Length counts bytes', () => {
  for (const s of ['abc', 'é', '€', '😀', 'ğüşiöç', '']) assert.equal(utf8Length(s), Buffer.byteLength(s));
});
