import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { WalSync } from './wal-sync.js';

test('syncs requested while one is running share the next one; every caller is answered', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-wal-'));
  try {
    const path = join(dir, 'inbox.db-wal');
    writeFileSync(path, 'frames');
    const sync = new WalSync(path);
    const first = sync.sync();
    const second = sync.sync();
    const third = sync.sync();
    assert.notEqual(first, second, 'a commit after a sync started needs a sync of its own');
    assert.equal(second, third, 'commits that arrive during one sync share the next');
    await Promise.all([first, second, third]);
    await sync.sync();
    await sync.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a missing WAL file is an error for the caller, not a hang', async () => {
  const sync = new WalSync(join(tmpdir(), 'no-such-dir-orkestra', 'x-wal'));
  await assert.rejects(sync.sync(), /ENOENT/);
});
