import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EpochMs } from '../core/brand.js';
import type { AppendResult, InboxEntry, Store } from '../store/store.js';
import { GroupCommitter } from './group-commit.js';

/**
 * A store whose appends are written when called (as SQLite's are) and made durable when the test
 * says so: `writes` lists what each call wrote, `settle(i)` finishes call i.
 */
function slowDiskStore() {
  const writes: string[][] = [];
  const settlers: { resolve: () => void; reject: (e: Error) => void }[] = [];
  let seq = 0;
  const store = {
    appendToInbox(entries: readonly InboxEntry[]): Promise<AppendResult> {
      writes.push(entries.map((e) => (e.kind === 'message' ? e.message.messageId : 'erase')));
      const accepted = entries.length;
      seq += accepted;
      const lastSeq = seq;
      // Like SQLite's, this store keeps nothing of the entries once written.
      return new Promise((resolve, reject) => {
        settlers.push({
          resolve: () => resolve({ accepted, duplicates: 0, lastSeq }),
          reject,
        });
      });
    },
  } as unknown as Store;
  return {
    store,
    writes,
    settle: (i: number) => settlers[i]!.resolve(),
    fail: (i: number) => settlers[i]!.reject(new Error('disk full')),
  };
}

const entry = (messageId: string): InboxEntry =>
  ({ kind: 'message', message: { messageId } }) as unknown as InboxEntry;
const tick = () => new Promise((r) => setImmediate(r));

function committer(store: Store) {
  const commits: number[] = [];
  const c = new GroupCommitter({
    store,
    clock: () => 0 as EpochMs,
    dedupeWindowMs: 1000,
    onCommit: (seq) => commits.push(seq),
  });
  return { c, commits };
}

test('requests that arrive together share one transaction; the next waits for its sync', async () => {
  const disk = slowDiskStore();
  const { c } = committer(disk.store);
  const a = c.append([entry('a1'), entry('a2')]);
  const b = c.append([entry('b1')]);
  await tick();
  assert.deepEqual(disk.writes, [['a1', 'a2', 'b1']]);
  const later = c.append([entry('c1')]);
  await tick();
  assert.equal(disk.writes.length, 1, 'not written while the first transaction syncs');
  disk.settle(0);
  await Promise.all([a, b]);
  await tick();
  assert.deepEqual(disk.writes[1], ['c1']);
  disk.settle(1);
  await later;
});

test('a failed commit rejects the callers whose entries it held; the next group goes ahead', async () => {
  const disk = slowDiskStore();
  const { c, commits } = committer(disk.store);
  const a = c.append([entry('a')]);
  await tick();
  const b = c.append([entry('b')]);
  disk.fail(0);
  await assert.rejects(a, /disk full/);
  await tick();
  assert.deepEqual(disk.writes, [['a'], ['b']]);
  disk.settle(1);
  await b;
  assert.deepEqual(commits, [2], 'the engine is told only of durable commits');
});

test('once written, the messages are let go while their sync runs', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const disk = slowDiskStore();
  const { c } = committer(disk.store);
  let message: object | undefined = { messageId: 'big', payload: 'x'.repeat(100_000) };
  const held = new WeakRef(message);
  const appended = c.append([{ kind: 'message', message } as unknown as InboxEntry]);
  message = undefined;
  await tick();
  assert.deepEqual(disk.writes, [['big']], 'written');
  gc();
  await tick();
  gc();
  assert.equal(held.deref(), undefined, 'collected before the sync has ended');
  disk.settle(0);
  await appended;
});
