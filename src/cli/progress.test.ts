import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatBar, formatProgress, ProgressReporter } from './progress.js';

test('a status line gives rows, percentage, rate and time left', () => {
  assert.equal(
    formatProgress({ done: 2500, total: 10_000, elapsedMs: 500, unit: 'rows' }),
    '2,500/10,000 rows  25%  5,000 events/s  ETA 0:02',
  );
  assert.equal(
    formatProgress({ done: 0, total: 10, elapsedMs: 0, unit: 'rows' }),
    '0/10 rows  0%  0 events/s  ETA ?',
  );
  assert.equal(formatBar(0.5, 10), '[#####-----]');
});

test('not a terminal: plain lines, at most one per interval, and the final state', () => {
  let now = 0;
  const lines: string[] = [];
  const bar = new ProgressReporter({
    total: 100,
    unit: 'rows',
    output: { write: (t: string) => lines.push(t), isTTY: false },
    clock: () => now,
    lineEveryMs: 1000,
  });
  bar.add(10); // drawn: the first update
  now = 500;
  bar.add(10); // too soon
  now = 1500;
  bar.add(30);
  now = 2000;
  bar.add(50);
  bar.finish();
  assert.deepEqual(lines, [
    '10/100 rows  10%  0 events/s  ETA ?\n',
    '50/100 rows  50%  33 events/s  ETA 0:02\n',
    '100/100 rows  100%  50 events/s  ETA 0:00\n',
  ]);
});

test('a terminal: the bar is redrawn in place and the line ends when finished', () => {
  const out: string[] = [];
  const bar = new ProgressReporter({
    total: 4,
    unit: 'rows',
    output: { write: (t: string) => out.push(t), isTTY: true },
    clock: () => 1000,
  });
  bar.add(2);
  bar.finish();
  assert.ok(out[0]!.startsWith('\r[############------------] 2/4 rows  50%'));
  assert.ok(out[1]!.endsWith('\x1b[K\n'));
});
