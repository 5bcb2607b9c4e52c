import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import { createProfile } from '../../core/profiles/profile.js';
import { membershipEvent } from '../../core/segments/segment-step.js';
import { resolveBatch } from '../../core/profiles/resolve-batch.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import { describeStoreContract } from '../store-contract.js';
import { matcherKey } from '../../core/segments/aggregates.js';
import { compileSegmentsSql } from '../../core/segments/compile-batch-sql.js';
import type { SegmentDefinition } from '../../core/segments/definition.js';
import { INBOX_MIGRATIONS, SQLITE_MIGRATIONS } from './sqlite-schema.js';
import { syncEventPropertyIndexes } from './sqlite-segment-indexes.js';
import { createInboxFence, openSqliteStore } from './sqlite-store.js';
import { hashMessageId, packKeys } from './dedupe-index.js';
import { LARGE_WINDOW, ROW_MESSAGES } from './sqlite-inbox.js';

/** Runs `body` with a fresh directory, removed afterwards whatever happens. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-sqlite-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describeStoreContract('sqlite (memory)', async () => openSqliteStore({ path: ':memory:' }));
// The engine's own store remembers profiles and owners between batches: it must answer the same.
describeStoreContract('sqlite (memory, profile cache)', async () =>
  openSqliteStore({ path: ':memory:', cacheProfiles: 1000 }),
);

test('a file store keeps what was committed across reopen, and migrates once', () =>
  inTempDir(async (dir) => {
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
  }));

test('a new inbox file has 64 KB pages and the state file 4 KB; an inbox made before keeps its own page size', () =>
  inTempDir(async (dir) => {
    const pageSize = (file: string): number => {
      const db = new Database(file, { readonly: true });
      try {
        return db.pragma('page_size', { simple: true }) as number;
      } finally {
        db.close();
      }
    };
    const fresh = openSqliteStore({ path: join(dir, 'new', 'orkestra.db') });
    await fresh.close();
    assert.equal(pageSize(join(dir, 'new', 'inbox.db')), 65536);
    assert.equal(pageSize(join(dir, 'new', 'orkestra.db')), 4096);

    // An inbox from before: 4 KB pages, schema applied, one entry waiting.
    const oldPath = join(dir, 'old', 'orkestra.db');
    const before = openSqliteStore({ path: oldPath });
    await before.close();
    rmSync(join(dir, 'old', 'inbox.db'));
    const legacy = new Database(join(dir, 'old', 'inbox.db'));
    legacy.pragma('journal_mode = WAL');
    for (const [v, sql] of INBOX_MIGRATIONS.entries()) {
      legacy.exec(sql);
      legacy.pragma(`user_version = ${v + 1}`);
    }
    legacy.close();
    const reopened = openSqliteStore({ path: oldPath });
    const message = { type: 'track', userId: 'u', event: 'x', messageId: 'm1' } as unknown as InboundMessage;
    await reopened.appendToInbox([{ kind: 'message', message }], {
      now: 1 as EpochMs,
      dedupeSince: 0 as EpochMs,
    });
    assert.equal(await reopened.inboxDepth(), 1);
    await reopened.close();
    assert.equal(pageSize(join(dir, 'old', 'inbox.db')), 4096);
  }));

test('the inbox forgets consumed entries only once the state that consumed them is durable', () =>
  inTempDir(async (dir) => {
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
  }));

test('the engine may read an entry before it is durable, but commits past it only once it is (the inbox fence)', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    const fence = createInboxFence();
    const setup = openSqliteStore({ path });
    const append = (store: typeof setup, id: string) =>
      store.appendToInbox(
        [{ kind: 'message', message: { type: 'track', userId: 'u', event: 'x', messageId: id } as never }],
        { now: 1000 as EpochMs, dedupeSince: 0 as EpochMs },
      );
    await append(setup, 'before');
    await setup.close();
    const http = openSqliteStore({ path, inboxFence: { buffer: fence, role: 'append' } });
    const engine = openSqliteStore({ path, inboxFence: { buffer: fence, role: 'read' } });
    const empty = { merges: [], identities: new Map(), events: [], profiles: [] };
    // What the file holds when the appending store opens is durable: a commit past it goes ahead.
    await engine.commitBatch(empty, 1);
    const order: string[] = [];
    const appended = append(http, 'm2').then(() => order.push('durable'));
    // SQLite has committed the append (its fsync is under way): the engine can read it already.
    assert.deepEqual(
      (await engine.readInbox(10)).map((r) => r.seq),
      [2],
    );
    const committed = engine.commitBatch(empty, 2).then(() => order.push('consumed'));
    const state = await Promise.race([committed.then(() => 'committed'), Promise.resolve('waiting')]);
    assert.equal(state, 'waiting', 'the commit that consumes entry 2 waits for its fsync');
    await Promise.all([appended, committed]);
    assert.deepEqual(order, ['durable', 'consumed']);
    assert.deepEqual(await engine.readInbox(10), []);
    await engine.close();
    await http.close();
  }));

test('dedupe keys: kept across reopen, moved from the old table, put back when an append fails, forgotten across connections', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    const message = (id: string, extra: Record<string, unknown> = {}) =>
      ({
        kind: 'message',
        message: {
          type: 'track',
          userId: 'u',
          event: 'x',
          messageId: id,
          timestamp: '2026-01-01T00:00:00.000Z',
          receivedAt: '2026-01-01T00:00:00.000Z',
          ...extra,
        },
      }) as never;
    const window = { now: 5000 as EpochMs, dedupeSince: 0 as EpochMs };
    // An inbox file from before dedupe_log: its keys are in the old text-keyed table.
    const old = new Database(join(dir, 'inbox.db'));
    old.exec(INBOX_MIGRATIONS[0]!);
    old.pragma('user_version = 1');
    old.prepare(`INSERT INTO dedupe (message_id, received_at) VALUES ('legacy', 1000)`).run();
    old.close();
    const first = openSqliteStore({ path });
    assert.deepEqual(await first.appendToInbox([message('legacy'), message('new')], window), {
      accepted: 1,
      duplicates: 1,
      lastSeq: 1,
    });
    // A failed transaction leaves the window as it was: the id is not taken for a message never stored.
    await assert.rejects(first.appendToInbox([message('doomed'), message('bad', { n: 1n })], window));
    assert.equal((await first.appendToInbox([message('doomed')], window)).accepted, 1);
    await first.close();
    const raw = new Database(join(dir, 'inbox.db'), { readonly: true });
    const tables = raw
      .prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`)
      .pluck()
      .all();
    raw.close();
    assert.ok(!tables.includes('dedupe'), 'the old table is gone once its keys are moved');
    const http = openSqliteStore({ path, inboxFence: { buffer: createInboxFence(), role: 'append' } });
    const again = await http.appendToInbox(
      ['legacy', 'new', 'doomed', 'bad'].map((id) => message(id)),
      window,
    );
    assert.deepEqual([again.accepted, again.duplicates], [1, 3], 'the window is rebuilt from the file');
    // The engine applies an erasure on its own connection; the appending store learns of it.
    const engine = openSqliteStore({ path });
    const found = await engine.readInbox(10);
    assert.deepEqual(
      found.map((r) => (r.kind === 'message' ? r.message.messageId : r.kind)),
      ['new', 'doomed', 'bad'],
    );
    const inputs = found.flatMap((r) => (r.kind === 'message' ? [{ seq: r.seq, message: r.message }] : []));
    const plan = resolveBatch(
      inputs,
      { identities: new Map(), profiles: new Map() },
      { newProfileId: () => 'prf_u' as ProfileId, mergeOnEmail: true },
    );
    await engine.commitBatch(plan, found[found.length - 1]!.seq);
    const owner = (await engine.findOwners(['user_id:u'] as never)).get('user_id:u')!;
    await engine.eraseProfile(owner, found[found.length - 1]!.seq);
    const after = await http.appendToInbox([message('new'), message('legacy')], window);
    assert.deepEqual(
      [after.accepted, after.duplicates],
      [1, 1],
      "the erased person's keys are forgotten, others kept",
    );
    await engine.close();
    await http.close();
  }));

/** An inbox entry: a bare track message with this id. */
const track = (id: string) =>
  ({ kind: 'message', message: { type: 'track', userId: 'u', event: 'x', messageId: id } }) as never;

test('an append writes its messages as few rows, each message keeping a seq of its own; a read may stop and resume inside a row', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    const http = openSqliteStore({ path });
    const engine = openSqliteStore({ path });
    const window = { now: 1000 as EpochMs, dedupeSince: 0 as EpochMs };
    const many = Array.from({ length: ROW_MESSAGES + 5 }, (_, i) => track(`m${i}`));
    const first = await http.appendToInbox(
      [...many, track('m0'), { kind: 'erase', profileId: 'p' as ProfileId }, track('last')],
      window,
    );
    assert.deepEqual(first, { accepted: ROW_MESSAGES + 6, duplicates: 1, lastSeq: ROW_MESSAGES + 7 });
    const raw = new Database(join(dir, 'inbox.db'), { readonly: true });
    const rows = () => raw.prepare('SELECT seq, n, kind FROM inbox ORDER BY seq').raw().all();
    assert.deepEqual(rows(), [
      [ROW_MESSAGES, ROW_MESSAGES, 'message'],
      [ROW_MESSAGES + 5, 5, 'message'],
      [ROW_MESSAGES + 6, 1, 'erase'],
      [ROW_MESSAGES + 7, 1, 'message'],
    ]);
    assert.equal(
      raw.prepare('SELECT count(*) FROM dedupe_keys').pluck().get(),
      1,
      "an append's keys are one row",
    );
    // The engine reads 7 messages (a row cut part-way), commits, and reads on from the 8th.
    const head = await engine.readInbox(7);
    assert.deepEqual(
      head.map((r) => r.seq),
      [1, 2, 3, 4, 5, 6, 7],
    );
    // Each message comes with the line it was read from, which the engine stores as the event's body.
    const firstRow = head[0]!;
    assert.ok(firstRow.kind === 'message' && firstRow.json === JSON.stringify(firstRow.message));
    await engine.commitBatch({ merges: [], identities: new Map(), events: [], profiles: [] }, 7);
    assert.equal(await engine.inboxDepth(), ROW_MESSAGES + 7 - 7);
    const rest = await engine.readInbox(10_000);
    assert.equal(rest.length, ROW_MESSAGES);
    assert.deepEqual(
      rest.slice(0, 2).map((r) => (r.kind === 'message' ? [r.seq, r.message.messageId] : r.kind)),
      [
        [8, 'm7'],
        [9, 'm8'],
      ],
    );
    assert.deepEqual(
      rest.slice(-3).map((r) => (r.kind === 'message' ? r.message.messageId : r.kind)),
      [`m${ROW_MESSAGES + 4}`, 'erase', 'last'],
    );
    // Everything purged, a seq is still never given twice.
    await engine.commitBatch(
      { merges: [], identities: new Map(), events: [], profiles: [] },
      ROW_MESSAGES + 7,
    );
    assert.equal(await engine.inboxDepth(), 0);
    await http.appendToInbox([track('after')], { now: 5000 as EpochMs, dedupeSince: 0 as EpochMs });
    assert.deepEqual(rows(), [[ROW_MESSAGES + 8, 1, 'message']]);
    // The depth counts by seq, which a purge does not reset: one entry waits.
    assert.equal(await engine.inboxDepth(), 1);
    assert.equal(await http.inboxDepth(), 1);
    raw.close();
    await engine.close();
    await http.close();
  }));

test('an append holds the write lock from its start: a write by another connection cannot come between its read of the seq and its rows', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    const http = openSqliteStore({ path });
    await http.appendToInbox([], { now: 1 as EpochMs, dedupeSince: 0 as EpochMs }); // schemas in place
    // Another connection (the engine noting an erasure, a checkpoint) tries to write mid-append.
    const other = new Database(join(dir, 'inbox.db'));
    other.pragma('busy_timeout = 0');
    let otherWrote: boolean | undefined;
    const message = {
      type: 'track',
      userId: 'u',
      event: 'x',
      get messageId() {
        try {
          other.prepare(`INSERT INTO dedupe_forgotten (hi, lo, up_to) VALUES (1, 2, 3)`).run();
          otherWrote = true;
        } catch {
          otherWrote = false; // it waits for the append's commit
        }
        return 'm1';
      },
    };
    const appended = await http.appendToInbox([{ kind: 'message', message: message as never }], {
      now: 1000 as EpochMs,
      dedupeSince: 0 as EpochMs,
    });
    assert.equal(otherWrote, false);
    assert.equal(appended.accepted, 1);
    other.close();
    await http.close();
  }));

test('an inbox with a dedupe row per key (schema 2) has them moved into one row per time', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    const old = new Database(join(dir, 'inbox.db'));
    INBOX_MIGRATIONS.slice(0, 2).forEach((sql, v) => {
      old.exec(sql);
      old.pragma(`user_version = ${v + 1}`);
    });
    const log = old.prepare(`INSERT INTO dedupe_log (received_at, hi, lo) VALUES (?, ?, ?)`);
    for (const [id, at] of [
      ['a', 1000],
      ['b', 1000],
      ['c', 2000],
    ] as const) {
      const { hi, lo } = hashMessageId(id);
      log.run(at, hi, lo);
    }
    old
      .prepare(`INSERT INTO inbox (kind, body, received_at) VALUES ('message', ?, 2000)`)
      .run(JSON.stringify({ type: 'track', userId: 'u', event: 'x', messageId: 'c' }));
    old.close();
    const store = openSqliteStore({ path });
    const again = await store.appendToInbox(['a', 'b', 'c', 'd'].map(track), {
      now: 3000 as EpochMs,
      dedupeSince: 0 as EpochMs,
    });
    assert.deepEqual(again, { accepted: 1, duplicates: 3, lastSeq: 2 });
    assert.deepEqual(
      (await store.readInbox(10)).map((r) => (r.kind === 'message' ? [r.seq, r.message.messageId] : r.kind)),
      [
        [1, 'c'],
        [2, 'd'],
      ],
      'a row of the old layout reads as one message',
    );
    await store.close();
    const raw = new Database(join(dir, 'inbox.db'), { readonly: true });
    assert.deepEqual(
      raw.prepare(`SELECT received_at, length(keys) FROM dedupe_keys ORDER BY received_at`).raw().all(),
      [
        [1000, 16],
        [2000, 8],
        [3000, 8],
      ],
    );
    assert.equal(
      raw.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'dedupe_log'`).pluck().get(),
      0,
    );
    raw.close();
  }));

test('a large dedupe window is announced as it is read into memory at open', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    await openSqliteStore({ path }).close();
    const raw = new Database(join(dir, 'inbox.db'));
    const log = raw.prepare(`INSERT INTO dedupe_keys (received_at, keys) VALUES (?, ?)`);
    raw.transaction(() => {
      for (let i = 0; i < LARGE_WINDOW; i += 1000) {
        const halves = Array.from({ length: 1000 }, (_, k) => hashMessageId(`m-${i + k}`)).flatMap(
          ({ hi, lo }) => [hi, lo],
        );
        log.run(1000 + i, packKeys(halves));
      }
    })();
    raw.close();
    const lines: string[] = [];
    const store = openSqliteStore({
      path,
      inboxFence: { buffer: createInboxFence(), role: 'append' },
      onMigrate: (line) => lines.push(line),
    });
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0]!, /reading 250,000 dedupe keys into memory/);
    assert.match(lines[1]!, /dedupe keys read in \d+\.\d s/);
    const message = { type: 'track', userId: 'u', event: 'x', messageId: 'm-249999' } as never;
    const again = await store.appendToInbox([{ kind: 'message', message }], {
      now: 500_000 as EpochMs,
      dedupeSince: 0 as EpochMs,
    });
    assert.equal(again.duplicates, 1);
    await store.close();
  }));

test('an append keeps nothing of its messages while its fsync runs', () =>
  inTempDir(async (dir) => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const store = openSqliteStore({ path: join(dir, 'orkestra.db') });
    let message: object | undefined = {
      type: 'track',
      userId: 'u',
      event: 'x',
      messageId: 'm',
      big: 'x'.repeat(1e5),
    };
    const held = new WeakRef(message);
    // A WeakRef keeps its target until the job that made it ends.
    await new Promise((r) => setImmediate(r));
    const appended = store.appendToInbox([{ kind: 'message', message: message as never }], {
      now: 1000 as EpochMs,
      dedupeSince: 0 as EpochMs,
    });
    message = undefined;
    await Promise.resolve(); // a microtask: this frame lets go of its temporaries, and no I/O callback can run yet
    gc();
    assert.equal(held.deref(), undefined);
    assert.equal((await appended).accepted, 1);
    await store.close();
  }));

test('with a checkpoint thread, the inbox is purged up to the cursor that thread made durable, never past the cursor', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    const engine = openSqliteStore({ path, engineSynchronous: 'normal', checkpointThread: true });
    const http = openSqliteStore({ path });
    const append = (id: string, now: number) =>
      http.appendToInbox(
        [{ kind: 'message', message: { type: 'track', userId: 'u', event: 'x', messageId: id } as never }],
        { now: now as EpochMs, dedupeSince: 0 as EpochMs },
      );
    const inboxSeqs = () => {
      const raw = new Database(join(dir, 'inbox.db'), { readonly: true });
      const seqs = raw.prepare('SELECT seq FROM inbox ORDER BY seq').pluck().all();
      raw.close();
      return seqs;
    };
    const empty = { merges: [], identities: new Map(), events: [], profiles: [] };
    await append('m1', 1000);
    await append('m2', 1001);
    await engine.commitBatch(empty, 2);
    // The thread checkpoints every 2 s and then records cursor 2 in its file.
    const file = `${path}-durable`;
    const deadline = Date.now() + 10_000;
    while (!existsSync(file) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(readFileSync(file, 'utf8'), '2');
    await append('m3', 5000);
    assert.deepEqual(inboxSeqs(), [3], 'entries 1 and 2 are durably consumed');
    // A file claiming more than the state file has consumed (left from an older one) purges no further.
    writeFileSync(file, '999');
    await append('m4', 9000);
    assert.deepEqual(inboxSeqs(), [3, 4]);
    await engine.close();
    await http.close();
  }));

test('the timeline merges membership changes (kept once, in segment_changes) with stored events, newest first, page by page', async () => {
  const store = openSqliteStore({ path: ':memory:' });
  const pid = 'prof_1' as ProfileId;
  await store.saveSegment(
    {
      version: 1,
      id: 'buyers',
      name: 'Buyers',
      condition: { type: 'trait', trait: 'x', op: 'exists' },
    } as never,
    1 as EpochMs,
  );
  const track = (seq: number, event: string, at: number) => ({
    seq,
    profileId: pid,
    timestamp: at as EpochMs,
    message: { type: 'track', event, messageId: `m${seq}`, userId: 'ada', properties: {} } as InboundMessage,
  });
  const profile = { ...createProfile(pid, 1000 as EpochMs, 'web'), userIds: ['ada'] };
  const entered = membershipEvent(
    { segmentId: 'buyers', profileId: pid, entered: true, at: 2000 },
    'Buyers',
    'ada',
  );
  await store.commitBatch(
    {
      merges: [],
      identities: new Map(),
      events: [
        track(1, 'Product Viewed', 1000),
        track(2, 'Order Completed', 2000),
        // What the engine hands the journey stage: seen, not stored.
        { seq: 0, profileId: pid, message: entered, timestamp: 2000 as EpochMs, signal: true },
      ],
      profiles: [profile],
      memberships: [{ segmentId: 'buyers', profileId: pid, entered: true, at: 2000 }],
      timers: new Map(),
    },
    2,
  );
  assert.equal(await store.countEvents(), 2, 'Segment Entered is not stored as an event');
  const seen: InboundMessage[] = [];
  let cursor: string | undefined;
  do {
    const page = await store.listEvents(pid, { limit: 1, ...(cursor ? { cursor } : {}) });
    seen.push(...page.items.map((e) => e.message));
    cursor = page.nextCursor;
  } while (cursor);
  assert.deepEqual(
    seen.map((m) => m.event),
    ['Segment Entered', 'Order Completed', 'Product Viewed'],
  );
  assert.deepEqual(seen[0], entered, 'the timeline shows the change as the event journeys saw');
  const window: string[] = [];
  await store.scanEventsBetween(0 as EpochMs, 5000 as EpochMs, (e) => window.push(e.message.event!));
  assert.deepEqual(window.sort(), ['Order Completed', 'Product Viewed', 'Segment Entered']);
  await store.close();
});

test('with the engine cache, re-evaluation timers stay exact while unchanged ones are not rewritten', async () => {
  const store = openSqliteStore({ path: ':memory:', cacheProfiles: 1000 });
  const pid = 'prof_t' as ProfileId;
  const write = (due: number | null) =>
    store.commitBatch({
      merges: [],
      identities: new Map(),
      events: [],
      profiles: [],
      timers: new Map([[pid, due]]),
    });
  await write(5000);
  await write(5000);
  assert.equal(await store.nextTimer(), 5000);
  assert.deepEqual(await store.dueTimers(5000 as EpochMs, 10), [{ profileId: pid, dueAt: 5000 }]);
  await write(7000);
  assert.equal(await store.nextTimer(), 7000);
  await write(null);
  assert.equal(await store.nextTimer(), undefined);
  // Another connection's job (a backfill) changed timers: the engine clears its memory, then writes.
  store.invalidateCache?.();
  await write(9000);
  assert.equal(await store.nextTimer(), 9000);
  await store.close();
});

/** A database at the schema just before the migration that mentions `marker`, as that version left it. */
function openBefore(path: string, marker: string): Database.Database {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  const upTo = SQLITE_MIGRATIONS.findIndex((sql) => sql.includes(marker));
  SQLITE_MIGRATIONS.slice(0, upTo).forEach((sql, v) => {
    db.exec(sql);
    db.pragma(`user_version = ${v + 1}`);
  });
  return db;
}

test('a store from before profiles moved to a rowid table keeps its profiles, read in the current form', () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    // The schema as the previous version left it, with a profile it wrote.
    const old = openBefore(path, 'profiles_rowid');
    const legacyKey = JSON.stringify(['Order Completed', [], { kind: 'ever' }, null]);
    const stored = {
      ...createProfile('prf_old' as ProfileId, 1_000 as EpochMs, 'web'),
      aggregates: {
        [legacyKey]: { kind: 'totals', count: 2, sum: 0, numeric: 0, first: 1_000, last: 2_000 },
      },
    };
    old
      .prepare(
        `INSERT INTO profiles (id, state, merged_into, created_at, updated_at) VALUES (?, ?, NULL, ?, ?)`,
      )
      .run(stored.id, JSON.stringify(stored), 1_000, 2_000);
    old
      .prepare(
        `INSERT INTO profiles (id, state, merged_into, created_at, updated_at) VALUES (?, NULL, ?, ?, ?)`,
      )
      .run('prf_gone', 'prf_old', 500, 500);
    assert.match(
      old.prepare(`SELECT sql FROM sqlite_master WHERE name = 'profiles'`).pluck().get() as string,
      /WITHOUT ROWID/,
    );
    old.close();

    const store = openSqliteStore({ path });
    const loaded = await store.loadProfiles(['prf_old' as ProfileId]);
    assert.deepEqual(loaded.get('prf_old' as ProfileId)?.aggregates, {
      [matcherKey(legacyKey)]: [2, 0, 0, 1_000, 2_000],
    });
    // The merged profile still points at its survivor.
    assert.equal((await store.getProfile('prf_gone' as ProfileId))?.profile.id, 'prf_old');
    await store.close();
    const db = new Database(path, { readonly: true });
    assert.doesNotMatch(
      db.prepare(`SELECT sql FROM sqlite_master WHERE name = 'profiles'`).pluck().get() as string,
      /WITHOUT ROWID/,
    );
    assert.equal(db.prepare(`SELECT count(*) FROM profiles`).pluck().get(), 2);
    assert.equal(
      db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'profiles_merged_into'`).pluck().get(),
      1,
    );
    db.close();
  }));

test("segments in SQL read an event name's rows from indexes in arrival order, so that a new event dirties no random leaf", () =>
  inTempDir(async (dir) => {
    const path = join(dir, 'orkestra.db');
    // A store from before: events of a name were indexed by profile.
    openBefore(path, 'events_track_seq').close();
    const seqMigration = SQLITE_MIGRATIONS.findIndex((sql) => sql.includes('events_track_seq'));
    // The upgrade says what it does, since on a large store it takes a while.
    const told: string[] = [];
    const store = openSqliteStore({ path, onMigrate: (line) => told.push(line) });
    await store.close();
    const last = SQLITE_MIGRATIONS.length;
    assert.equal(told[0], `orkestra.db: migrating to schema ${seqMigration + 1} of ${last}…`);
    assert.match(told.at(-1)!, new RegExp(`^orkestra\\.db: schema ${last} done in \\d+\\.\\d s$`));

    const db = new Database(path);
    const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).pluck().all();
    assert.ok(indexes.includes('events_track_seq'));
    assert.ok(!indexes.includes('events_track_name'));
    const definitions: SegmentDefinition[] = [
      {
        id: 'viewers',
        name: 'Viewed 3+ this week',
        condition: {
          type: 'event',
          event: 'Product Viewed',
          window: { kind: 'last', amount: 7, unit: 'days' },
          compare: { op: 'gte', value: 3 },
        },
      },
      {
        id: 'big-orders',
        name: 'An order of 200+',
        condition: {
          type: 'event',
          event: 'Order Completed',
          where: [{ property: 'revenue', op: 'gte', value: 200 }],
          window: { kind: 'ever' },
        },
      },
    ];
    const eventIndexes = syncEventPropertyIndexes(db, definitions);
    const propsIndex = eventIndexes.get('Order Completed')!;
    assert.match(
      db.prepare(`SELECT sql FROM sqlite_master WHERE name = ?`).pluck().get(propsIndex) as string,
      /ON events \(name, seq, profile_id, timestamp, /,
    );
    const { setup } = compileSegmentsSql(definitions, { now: 1_000_000, eventIndexes });
    for (const s of setup.filter((x) => x.sql.startsWith('CREATE'))) db.exec(s.sql);
    const plans = setup
      .filter((s) => s.sql.startsWith('INSERT'))
      .map((s) =>
        (db.prepare(`EXPLAIN QUERY PLAN ${s.sql}`).all(...s.params) as { detail: string }[])
          .map((r) => r.detail)
          .join('; '),
      );
    assert.equal(plans.length, 2);
    // Each searches its name's entries in an index in arrival order (the property values are in the
    // property index), never scanning the table or going through the index by profile.
    assert.match(
      plans[0]!,
      /^SEARCH e USING COVERING INDEX events_track_seq \(name=\?\); USE TEMP B-TREE FOR GROUP BY$/,
    );
    assert.match(
      plans[1]!,
      new RegExp(`^SEARCH e USING INDEX ${propsIndex} \\(name=\\?\\); USE TEMP B-TREE FOR GROUP BY$`),
    );
    db.close();
  }));
