import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EpochMs } from '../src/core/brand.js';
import { loadDemo, readSegmentFiles, SEGMENTS_DIR } from '../src/cli/demo-loader.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const NOW = Date.parse('2026-11-23T10:30:00Z');
let rt: TestRuntime;
before(async () => {
  rt = await startTestRuntime({ clock: () => NOW as EpochMs });
});
after(() => rt.close());

test('the demo shop loads through the ingest API into profiles and segments, once', async () => {
  const loaded = await loadDemo(rt, { seed: 1, now: NOW });
  assert.ok(loaded, 'an empty instance loads the demo');
  const { summary } = loaded;
  assert.ok(summary.customers >= 300 && summary.orders > 100, JSON.stringify(summary));
  // Every person is one profile: known customers' anonymous browsing merged into them.
  assert.equal(await rt.store.countProfiles(), summary.customers);
  assert.ok((await rt.store.countEvents()) >= summary.messages);
  const files = readSegmentFiles(SEGMENTS_DIR);
  assert.deepEqual(
    loaded.segments.map((s) => s.id),
    files.map((f) => f.id),
  );
  for (const s of loaded.segments) assert.ok(s.members > 0, `segment ${s.id} has members`);
  assert.equal(
    loaded.rfm.customers,
    Object.values(loaded.rfm.groups).reduce((a, b) => a + b, 0),
  );
  assert.ok(loaded.rfm.customers > 50, 'customers are scored');
  // Four currencies, converted at the configured rates: the spend model fits (in lira and dollars mixed, it does not).
  assert.ok(loaded.clv.fitted, JSON.stringify(loaded.clv));
  // The real-time members agree with the SQL evaluation of the same definitions.
  for (const f of files) {
    const sql = await rt.store.querySegment(f.condition, NOW as EpochMs);
    assert.deepEqual(new Set(await rt.store.memberIds(f.id)), new Set(sql), f.id);
  }
  const found = await rt.admin('/api/profiles?q=' + encodeURIComponent('@'));
  assert.equal(found.status, 200);
  assert.ok(found.body.items.length > 0);
  assert.equal(await loadDemo(rt, { seed: 1, now: NOW }), undefined, 'a second start does not load it again');
});
