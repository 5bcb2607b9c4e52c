import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EpochMs } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import { describeStoreContract } from '../store-contract.js';
import { openSqliteStore } from './sqlite-store.js';

describeStoreContract('sqlite (memory)', async () => openSqliteStore({ path: ':memory:' }));

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
