import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import type { EpochMs } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import { describeStoreContract } from '../store-contract.js';
import { openSqliteStore } from './sqlite-store.js';

describeStoreContract('sqlite (memory)', async () => openSqliteStore({ path: ':memory:' }));
// The engine's own store remembers profiles and owners between batches: it must answer the same.
describeStoreContract('sqlite (memory, profile cache)', async () =>
  openSqliteStore({ path: ':memory:', cacheProfiles: 1000 }),
);

test('a file store keeps what was committed across reopen, and migrates once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-sqlite-'));
  try {
    const path = join(dir, 'db', 'orkestra.db');
    const first = openSqliteStore({ path });
    const message = { type: 'track', userId: 'u', event: 'x', messageId: 'm1' } as unknown as InboundMessage;
    await first.appendToInbox([{ kind: 'message', message }], {
      now: 1 as EpochMs,
      dedupeSince: 0 as EpochMs,
    });
    await first.close();
    const second = openSqliteStore({ path });
    assert.equal(await second.inboxDepth(), 1);
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the inbox forgets consumed entries only once the state that consumed them is durable', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-sqlite-'));
  try {
    const path = join(dir, 'orkestra.db');
    // The engine's connection commits without fsync; the HTTP thread's appends purge the inbox.
    const engine = openSqliteStore({ path, engineSynchronous: 'normal' });
    const http = openSqliteStore({ path });
    const append = (id: string, now: number) =>
      http.appendToInbox(
        [{ kind: 'message', message: { type: 'track', userId: 'u', event: 'x', messageId: id } as never }],
        { now: now as EpochMs, dedupeSince: 0 as EpochMs },
      );
    const empty = { merges: [], identities: new Map(), events: [], profiles: [] };
    await append('m1', 1000);
    await append('m2', 1001);
    await engine.commitBatch(empty, 2);
    await engine.maintain?.(); // the first checkpoint: 1 and 2 are durably consumed
    await append('m3', 1002);
    await append('m4', 1003);
    await engine.commitBatch(empty, 4);
    await engine.maintain?.(); // within the checkpoint interval: consumed, not yet durable
    await append('m5', 5000); // purges what is durably consumed
    const raw = new Database(join(dir, 'inbox.db'), { readonly: true });
    const seqs = raw.prepare('SELECT seq FROM inbox ORDER BY seq').pluck().all();
    raw.close();
    assert.deepEqual(seqs, [3, 4, 5], 'entries 3 and 4 stay until a checkpoint covers them');
    assert.deepEqual(
      (await engine.readInbox(10)).map((r) => r.seq),
      [5],
    );
    await engine.close();
    await http.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
