import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpochMs } from '../core/brand.js';
import { JobBoard } from './job-board.js';

test('a job is listed as running with its phase and progress, then among the recent ones with how it ended', async () => {
  let now = Date.parse('2026-01-05T09:00:00Z');
  const board = new JobBoard(() => now as EpochMs, 2);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const running = board.run('segment:vip', async (report) => {
    report('scanning events', 100_000);
    now += 1500;
    report('applying memberships', 2000, 5000);
    await gate;
    now += 500;
    return 42;
  });
  await Promise.resolve();
  assert.deepEqual(board.list(), {
    running: [
      {
        id: 1,
        job: 'segment:vip',
        state: 'running',
        phase: 'applying memberships',
        done: 2000,
        total: 5000,
        startedAt: '2026-01-05T09:00:00.000Z',
        updatedAt: '2026-01-05T09:00:01.500Z',
      },
    ],
    recent: [],
  });
  release();
  assert.equal(await running, 42);
  const [done] = board.list().recent;
  assert.equal(board.list().running.length, 0);
  assert.equal(done?.state, 'done');
  assert.equal(done?.ms, 2000);
  assert.equal(done?.finishedAt, '2026-01-05T09:00:02.000Z');

  await assert.rejects(
    board.run('rfm', async () => {
      throw new Error('no customers');
    }),
    /no customers/,
  );
  await board.run('clv', async () => 'fitted');
  const recent = board.list().recent;
  assert.deepEqual(
    recent.map((j) => [j.job, j.state, j.error]),
    [
      ['clv', 'done', undefined],
      ['rfm', 'failed', 'no customers'],
    ],
    'newest first, at most `keep` of them',
  );
});
