import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { DedupeIndex, hashMessageId } from './dedupe-index.js';

const key = (id: string) => hashMessageId(id);

test('a key is seen from when it was accepted, within the window asked about', () => {
  const index = new DedupeIndex();
  const { hi, lo } = key('m1');
  assert.equal(index.seenSince(hi, lo, 0), false);
  assert.equal(index.add(hi, lo, 1000), undefined);
  assert.equal(index.seenSince(hi, lo, 1000), true);
  assert.equal(index.seenSince(hi, lo, 1001), false, 'older than the window');
  assert.equal(index.add(hi, lo, 5000), 1000, 'accepted again: the previous time is returned');
  assert.equal(index.seenSince(hi, lo, 4000), true);
});

test('undo puts back what an uncommitted add changed', () => {
  const index = new DedupeIndex();
  const a = key('a');
  const b = key('b');
  index.add(a.hi, a.lo, 100);
  const beforeA = index.add(a.hi, a.lo, 200);
  const beforeB = index.add(b.hi, b.lo, 200);
  index.undo(b.hi, b.lo, beforeB);
  index.undo(a.hi, a.lo, beforeA);
  assert.equal(index.seenSince(a.hi, a.lo, 100), true);
  assert.equal(index.seenSince(a.hi, a.lo, 150), false);
  assert.equal(index.seenSince(b.hi, b.lo, Number.NEGATIVE_INFINITY), false);
});

test('forget applies to what was accepted up to its time, and holds through growth until a prune', () => {
  const index = new DedupeIndex();
  const gone = key('gone');
  const later = key('later');
  index.add(gone.hi, gone.lo, 100);
  index.add(later.hi, later.lo, 300);
  index.forget(gone.hi, gone.lo, 200);
  index.forget(later.hi, later.lo, 200);
  assert.equal(index.seenSince(gone.hi, gone.lo, 0), false);
  assert.equal(index.seenSince(later.hi, later.lo, 0), true, 'accepted after the erasure');
  for (let i = 0; i < 5000; i++) {
    const k = key(`fill-${i}`);
    index.add(k.hi, k.lo, 400);
  }
  assert.equal(index.seenSince(gone.hi, gone.lo, 0), false);
  assert.equal(index.size, 5002);
  index.prune(250);
  assert.equal(index.size, 5001, 'the forgotten key went; the one accepted at 300 stayed');
  assert.equal(index.seenSince(later.hi, later.lo, 0), true);
});

test('100,000 random ids: each found after the table has grown, none found that was not added, prune keeps the window', () => {
  const index = new DedupeIndex();
  const ids = Array.from({ length: 100_000 }, () => randomUUID());
  ids.forEach((id, i) => {
    const k = key(id);
    index.add(k.hi, k.lo, i);
  });
  assert.ok(ids.every((id) => index.seenSince(key(id).hi, key(id).lo, 0)));
  assert.ok(
    Array.from({ length: 10_000 }, () => randomUUID()).every(
      (id) => !index.seenSince(key(id).hi, key(id).lo, Number.NEGATIVE_INFINITY),
    ),
  );
  index.prune(50_000);
  assert.equal(index.size, 50_000);
  assert.equal(index.seenSince(key(ids[49_999]!).hi, key(ids[49_999]!).lo, 0), false);
  assert.equal(index.seenSince(key(ids[50_000]!).hi, key(ids[50_000]!).lo, 0), true);
});

test('the 64-bit hashes of 500,000 ids of the shapes SDKs send do not collide', () => {
  const seen = new Set<string>();
  let made = 0;
  const shapes = [
    (i: number) => `ajs-run-${i.toString(36)}`,
    () => randomUUID(),
    (i: number) => `node-next-${1_700_000_000_000 + i}-${randomUUID()}`,
  ];
  for (const shape of shapes)
    for (let i = 0; i < 500_000 / shapes.length; i++) {
      const { hi, lo } = hashMessageId(shape(i));
      seen.add(`${hi}:${lo}`);
      made++;
    }
  assert.equal(seen.size, made);
});
