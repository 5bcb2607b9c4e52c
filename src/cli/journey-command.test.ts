import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { EpochMs } from '../core/brand.js';
import { startTestRuntime, type TestRuntime } from '../../test/support/test-runtime.js';
import { SAMPLE_TEMPLATE } from '../engine/dispatch/testing/dispatch-fixture.js';
import { adminTargetFrom, type AdminTarget } from './admin-client.js';
import { applyJourneyFile, exportJourney, simulateJourney } from './journey-command.js';
import { applySegmentFile } from './segment-command.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const journeyFile = new URL('../../journeys/abandoned-cart.json', import.meta.url).pathname;

describe('journeys and segments as code', () => {
  let rt: TestRuntime;
  let target: AdminTarget;
  let dir: string;
  before(async () => {
    rt = await startTestRuntime({ clock: () => T0 as EpochMs });
    target = adminTargetFrom({ url: rt.url }, { ORKESTRA_ADMIN_KEY: rt.adminKey });
    dir = mkdtempSync(join(tmpdir(), 'orkestra-cli-'));
    // Publishing checks send nodes against the template store.
    for (const id of ['cart-reminder-1', 'cart-reminder-2-cross-sell'])
      assert.equal((await rt.messaging.templateService.save({ ...SAMPLE_TEMPLATE, id })).ok, true);
  });
  after(async () => {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('applying a journey file twice publishes once; its export applies as unchanged', async () => {
    assert.deepEqual(await applyJourneyFile(target, journeyFile, { migrate: false }), {
      id: 'abandoned-cart',
      version: 1,
      changed: true,
    });
    assert.equal((await applyJourneyFile(target, journeyFile, { migrate: false })).changed, false);
    const exported = join(dir, 'exported.json');
    writeFileSync(exported, JSON.stringify(await exportJourney(target, 'abandoned-cart', false)));
    assert.deepEqual(await applyJourneyFile(target, exported, { migrate: false }), {
      id: 'abandoned-cart',
      version: 1,
      changed: false,
    });
    assert.equal((await rt.store.getJourney('abandoned-cart'))?.publishedVersion, 1);
  });

  test('simulate takes a file that was never applied', async () => {
    const report = await simulateJourney(target, journeyFile, {
      from: '2025-03-01',
      to: '2025-03-03',
      draft: false,
    });
    assert.equal(report.entered, 0);
  });

  test('applying a segment file twice saves once', async () => {
    const file = new URL('../../segments/high-value.json', import.meta.url).pathname;
    const first = await applySegmentFile(target, file);
    const second = await applySegmentFile(target, file);
    assert.deepEqual([first.changed, second.changed, second.version], [true, false, first.version]);
    assert.equal((await rt.store.getSegment(first.id))?.version, first.version);
  });

  test('a missing admin key is named', () => {
    assert.throws(() => adminTargetFrom({}, {}), /admin key/);
  });
});
