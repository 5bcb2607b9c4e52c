import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CURSOR_KEY, durableFileOf, readDurableFile } from './checkpoint-policy.js';
import { Checkpointer } from './checkpointer.js';

function openWal(path: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  return db;
}

test('the checkpoint thread records the cursor durable only after a complete checkpoint covering it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-ckpt-'));
  const statePath = join(dir, 'orkestra.db');
  const inboxPath = join(dir, 'inbox.db');
  const state = openWal(statePath);
  const inbox = openWal(inboxPath);
  const checkpointer = new Checkpointer({ statePath, inboxPath, everyMs: 60_000, recordDurable: true });
  t.after(async () => {
    await checkpointer.close();
    state.close();
    inbox.close();
    rmSync(dir, { recursive: true, force: true });
  });
  state.exec(`CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
              CREATE TABLE facts (id INTEGER PRIMARY KEY, body TEXT)`);
  inbox.exec(`CREATE TABLE inbox (seq INTEGER PRIMARY KEY, body TEXT)`);
  const setCursor = (seq: number) =>
    state
      .prepare(`INSERT INTO settings VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
      .run(CURSOR_KEY, String(seq));
  // The thread records it in a file beside the state file, not in it (no write lock for the engine to wait on).
  const durable = () => String(readDurableFile(durableFileOf(statePath)));
  const write = (n: number) => {
    const insert = state.prepare(`INSERT INTO facts (body) VALUES (?)`);
    state.transaction(() => {
      for (let i = 0; i < n; i++) insert.run('x'.repeat(500));
    })();
    inbox.prepare(`INSERT INTO inbox (body) VALUES (?)`).run('y'.repeat(500));
  };

  write(200);
  setCursor(42);
  const first = await checkpointer.now();
  assert.equal(first.t === 'round' && first.complete, true, JSON.stringify(first));
  assert.equal(durable(), '42');
  assert.equal(
    state.prepare(`SELECT count(*) FROM settings WHERE key = 'inbox_cursor_durable'`).pluck().get(),
    0,
  );

  // A reader on an old snapshot keeps the checkpoint from copying what came after it.
  const reader = new Database(statePath);
  reader.prepare('BEGIN').run();
  reader.prepare('SELECT count(*) FROM facts').get();
  write(200);
  setCursor(50);
  const blocked = await checkpointer.now();
  assert.equal(blocked.t === 'round' && blocked.complete, false);
  assert.equal(durable(), '42', 'not durable before a complete checkpoint');
  reader.prepare('COMMIT').run();
  reader.close();
  const done = await checkpointer.now();
  assert.equal(done.t === 'round' && done.complete, true);
  assert.equal(durable(), '50');

  // The durable cursor never goes back (a cursor read as lower by a late round changes nothing).
  setCursor(7);
  await checkpointer.now();
  assert.equal(durable(), '50');
});
