/**
 * Which B-trees a WAL's frames belong to: reads the frames of the current WAL generation (those whose
 * salts match the header) and maps each page number to its table or index through `dbstat`, to show
 * where a commit's writes go. Copy a running store's `orkestra.db` and `orkestra.db-wal` somewhere
 * first; the copy is opened read-only, so its WAL stays as it was.
 *
 *   node --import tsx bench/support/wal-frames.ts <dir holding orkestra.db and orkestra.db-wal>
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatNumber, formatTable } from './report.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: bench/support/wal-frames.ts <dir holding orkestra.db and orkestra.db-wal>');
const wal = readFileSync(join(dir, 'orkestra.db-wal'));
const pageSize = wal.readUInt32BE(8);
const [salt1, salt2] = [wal.readUInt32BE(16), wal.readUInt32BE(20)];
const framesOfPage = new Map<number, number>();
let frames = 0;
let commits = 0;
for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
  if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
  const page = wal.readUInt32BE(at);
  framesOfPage.set(page, (framesOfPage.get(page) ?? 0) + 1);
  frames++;
  // A frame that records the database size ends a commit.
  if (wal.readUInt32BE(at + 4) !== 0) commits++;
}
const db = new Database(join(dir, 'orkestra.db'), { readonly: true });
const owner = new Map<number, string>();
const pages = db.prepare(`SELECT name, pageno, pagetype FROM dbstat`).iterate() as Iterable<{
  name: string;
  pageno: number;
  pagetype: string;
}>;
for (const p of pages) owner.set(p.pageno, p.pagetype === 'internal' ? `${p.name} (interior)` : p.name);
db.close();
const byTree = new Map<string, number>();
for (const [page, n] of framesOfPage) {
  const tree = owner.get(page) ?? '(free or new)';
  byTree.set(tree, (byTree.get(tree) ?? 0) + n);
}
console.log(
  `${formatNumber(frames)} frames of ${pageSize} bytes in ${commits} commits, ${formatNumber(framesOfPage.size)} distinct pages`,
);
console.log(
  formatTable(
    ['B-tree', 'frames', 'per commit'],
    [...byTree]
      .sort((a, b) => b[1] - a[1])
      .map(([tree, n]) => [tree, formatNumber(n), (n / Math.max(1, commits)).toFixed(1)]),
  ),
);
