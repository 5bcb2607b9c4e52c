/**
 * Dedupe benchmark: what remembering a `messageId` costs the HTTP thread, by the shape of the ids
 * senders use. Every append checks each id against the window in memory (`DedupeIndex`) and logs its
 * hash in arrival order. Before, the window was a B-tree keyed by the id itself, where ids that grow
 * with time landed on its last leaf and random ones on any leaf: 3.2, 5.5 and 14.1 µs a message for
 * the three shapes below, with a million ids in the window (and growing with the window).
 *
 *   - sequential: `ajs-<run>-<counter>`, what `bench/ingest.ts` sends;
 *   - time-prefixed: `node-next-<ms>-<uuid>`, what `@segment/analytics-node` sends;
 *   - random: a UUID v4, what RudderStack's SDKs send.
 *
 * For each shape the log first holds `--preload` ids of that shape (a busy shop's window), then
 * `--messages` messages are appended in batches of 100 through the store, as the group committer
 * does; the figure is the median of `--runs` rounds, in µs per message. `synchronous = NORMAL`, so the
 * figure is the b-tree's cost, not the disk's fsync.
 *
 *   node --import tsx bench/dedupe.ts [--preload 1000000] [--messages 100000] [--runs 3]
 */
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { EpochMs } from '../src/core/brand.js';
import type { InboundMessage } from '../src/core/messages/inbound-message.js';
import { hashMessageId, packKeys } from '../src/store/sqlite/dedupe-index.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createLog, formatNumber, formatTable, median, writeResults } from './support/report.js';

const { values: flags } = parseArgs({
  options: {
    preload: { type: 'string', default: '1000000' },
    messages: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
  },
});
const PRELOAD = Number(flags.preload);
const MESSAGES = Number(flags.messages);
const RUNS = Number(flags.runs);
const BATCH = 100;
const log = createLog();

const SHAPES: readonly { name: string; next: (n: number) => string }[] = [
  { name: 'sequential (ajs-<run>-<counter>)', next: (n) => `ajs-mk3ab-${n.toString(36)}` },
  { name: 'time-prefixed (analytics-node)', next: () => `node-next-${Date.now()}-${randomUUID()}` },
  { name: 'random UUID v4 (RudderStack)', next: () => randomUUID() },
];

const rows: string[][] = [];
const results: Record<string, number[]> = {};
for (const shape of SHAPES) {
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-bench-dedupe-'));
  try {
    const path = join(dir, 'orkestra.db');
    await openSqliteStore({ path, synchronous: 'normal' }).close(); // creates both files' schemas
    // Preload the window straight into the table: the ids, not the inbox rows, are what is measured.
    const raw = new Database(join(dir, 'inbox.db'));
    const insert = raw.prepare('INSERT INTO dedupe_keys (received_at, keys) VALUES (?, ?)');
    let n = 0;
    raw.transaction(() => {
      while (n < PRELOAD) {
        const halves: number[] = [];
        for (const end = Math.min(PRELOAD, n + 1000); n < end; n++) {
          const { hi, lo } = hashMessageId(shape.next(n));
          halves.push(hi, lo);
        }
        insert.run(1, packKeys(halves));
      }
    })();
    raw.close();
    log(`${shape.name}: ${formatNumber(PRELOAD)} ids preloaded`);
    const store = openSqliteStore({ path, synchronous: 'normal' });
    let clock = 1;
    // The first append reads the window into memory (the server's store does it at open).
    const loading = performance.now();
    await store.appendToInbox([], { now: 1 as EpochMs, dedupeSince: 0 as EpochMs });
    const loadMs = performance.now() - loading;
    const round: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const batches: { kind: 'message'; message: InboundMessage; json: string }[][] = [];
      for (let i = 0; i < MESSAGES; i += BATCH) {
        batches.push(
          Array.from({ length: BATCH }, () => {
            const message = { type: 'track', userId: 'u', event: 'x', messageId: shape.next(n++) };
            return { kind: 'message', message: message as unknown as InboundMessage, json: '{}' };
          }),
        );
      }
      const started = performance.now();
      // Each group commit at its own millisecond, as a clock gives them.
      for (const batch of batches) {
        await store.appendToInbox(batch, { now: ++clock as EpochMs, dedupeSince: 0 as EpochMs });
      }
      round.push(((performance.now() - started) * 1000) / MESSAGES);
    }
    await store.close();
    results[shape.name] = round;
    const us = median(round);
    log(
      `${shape.name}: ${us.toFixed(2)} µs a message; the window read into memory in ${loadMs.toFixed(0)} ms`,
    );
    rows.push([shape.name, us.toFixed(2), formatNumber(1e6 / us), loadMs.toFixed(0)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
console.log(
  `\n${formatTable(['messageId shape', 'µs / message (inbox + dedupe)', 'messages/s, one core', 'window load, ms'], rows)}\n`,
);
console.log(`window of ${formatNumber(PRELOAD)} ids; ${RUNS} × ${formatNumber(MESSAGES)} messages, median`);
writeResults('dedupe', {
  goals: [],
  table: { header: ['messageId shape', 'µs per message', 'messages/s', 'window load, ms'], rows },
  config: { preload: PRELOAD, messages: MESSAGES, runs: RUNS, batch: BATCH },
  results,
});
