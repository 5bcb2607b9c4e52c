import assert from 'node:assert/strict';
import { mock, test } from 'node:test';
import type { EpochMs } from '../core/brand.js';
import type { Store } from '../store/store.js';
import { JobSchedule } from './job-schedule.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The slice of the store a schedule uses. */
function settingsStore(initial: Record<string, string> = {}) {
  const settings = new Map(Object.entries(initial));
  const store = {
    getSetting: async (key: string) => settings.get(key),
    setSetting: async (key: string, value: string) => void settings.set(key, value),
  } as unknown as Store;
  return { store, settings };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test('a fresh store runs the job one interval after the first start, then every interval', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  let now = 1_000 * DAY;
  const { store, settings } = settingsStore();
  let runs = 0;
  const schedule = new JobSchedule({
    name: 'rfm',
    everyMs: DAY,
    store,
    clock: () => now as EpochMs,
    run: async () => void runs++,
  });
  await schedule.start();
  assert.equal(settings.get('job_last_run:rfm'), String(now));
  mock.timers.tick(DAY - 1);
  await flush();
  assert.equal(runs, 0);
  now += DAY;
  mock.timers.tick(1);
  await flush();
  assert.equal(runs, 1);
  assert.equal(settings.get('job_last_run:rfm'), String(now));
  mock.timers.tick(DAY);
  await flush();
  assert.equal(runs, 2);
  await schedule.stop();
  mock.timers.tick(DAY);
  await flush();
  assert.equal(runs, 2);
});

test('a restart counts from the last run; a failing run is reported and the schedule goes on', async (t) => {
  mock.timers.enable({ apis: ['setTimeout'] });
  t.after(() => mock.timers.reset());
  const now = 1_000 * DAY;
  const { store } = settingsStore({ 'job_last_run:clv': String(now - 20 * HOUR) });
  const errors: unknown[] = [];
  let runs = 0;
  const schedule = new JobSchedule({
    name: 'clv',
    everyMs: DAY,
    store,
    clock: () => now as EpochMs,
    run: async () => {
      runs++;
      throw new Error('no data');
    },
    onError: (e) => errors.push(e),
  });
  await schedule.start();
  mock.timers.tick(4 * HOUR);
  await flush();
  assert.equal(runs, 1);
  assert.equal(errors.length, 1);
  mock.timers.tick(DAY);
  await flush();
  assert.equal(runs, 2);
  await schedule.stop();
});

test('an interval of 0 never runs the job', async () => {
  const { store, settings } = settingsStore();
  const schedule = new JobSchedule({
    name: 'x',
    everyMs: 0,
    store,
    clock: () => 0 as EpochMs,
    run: async () => assert.fail(),
  });
  await schedule.start();
  assert.equal(settings.size, 0);
  await schedule.stop();
});
