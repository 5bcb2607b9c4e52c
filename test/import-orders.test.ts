import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { runImportOrders } from '../src/cli/import-command.js';
import { cleanupStack } from './support/cleanup.js';
import { startTestRuntime } from './support/test-runtime.js';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CDNOW = process.env['ORKESTRA_CDNOW_DIR'] ?? '/work/shared/data/cdnow';
const SAMPLE = join(CDNOW, 'CDNOW_sample.txt');
const skip = existsSync(SAMPLE) ? false : `CDNOW data not found in ${CDNOW}`;
/** The sample's most frequent buyer (56 lines). */
const TOP_CUSTOMER = '19339';

/** Orders and revenue per customer, read from the file without Orkestra's parser. */
function expectedTotals(): Map<string, { orders: number; revenue: number }> {
  const totals = new Map<string, { orders: number; revenue: number }>();
  for (const line of readFileSync(SAMPLE, 'utf8').split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 5) continue;
    const t = totals.get(fields[0]!) ?? { orders: 0, revenue: 0 };
    totals.set(fields[0]!, { orders: t.orders + 1, revenue: t.revenue + Number(fields[4]) });
  }
  return totals;
}

/** `orkestra import orders` as a user runs it; resolves with its exit code and output. */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['bin/orkestra.js', 'import', 'orders', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env, NODE_TEST_CONTEXT: undefined },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

test(
  'the CDNOW sample imports as Order Completed events; importing it again stores nothing twice',
  { skip },
  async (t) => {
    const defer = cleanupStack(t);
    const rt = await startTestRuntime({ rfmEveryMs: 0, clvEveryMs: 0 });
    defer(() => rt.close());

    const cli = await runCli([SAMPLE, '--url', rt.url], { ORKESTRA_WRITE_KEY: rt.writeKey });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, /^imported 6919 orders of 2357 customers in \d+ batches/);
    // stderr is a pipe here: plain progress lines, the last one complete.
    assert.match(cli.stderr, /6,919\/6,919 rows {2}100% {2}[\d,]+ events\/s {2}ETA 0:00\n$/);
    assert.ok(!cli.stderr.includes('\r'));

    await rt.settle();
    assert.equal(await rt.store.countProfiles(), 2357);
    assert.equal(await rt.store.countEvents(), 6919);
    const expected = expectedTotals();
    assert.equal(expected.get(TOP_CUSTOMER)?.orders, 56);
    const check = async () => {
      for (const customer of ['00004', '00018', '23556', TOP_CUSTOMER]) {
        const found = (await rt.admin(`/api/profiles?q=${customer}`)).body.items as {
          id: string;
          userIds: string[];
        }[];
        const profile = found.find((p) => p.userIds.includes(customer));
        assert.ok(profile, `no profile for ${customer}`);
        const { computed } = (await rt.admin(`/api/profiles/${profile.id}`)).body;
        const want = expected.get(customer)!;
        assert.equal(computed.ordersCount, want.orders, customer);
        assert.ok(
          Math.abs(computed.revenue - want.revenue) < 1e-6,
          `${customer}: ${computed.revenue} ≠ ${want.revenue}`,
        );
        assert.equal(computed.currency, 'USD');
      }
    };
    await check();

    const again = await runImportOrders(
      { file: SAMPLE, format: 'cdnow', currency: 'USD', url: rt.url, writeKey: rt.writeKey, concurrency: 2 },
      { progress: { write: () => true } },
    );
    assert.ok(again.ok, JSON.stringify(again));
    assert.equal(again.value.rows, 6919);
    await rt.settle();
    assert.equal(await rt.store.countEvents(), 6919);
    assert.equal(await rt.store.countProfiles(), 2357);
    await check();
  },
);

test('a wrong write key or an unreadable file is a clear error and a non-zero exit', { skip }, async (t) => {
  const defer = cleanupStack(t);
  const rt = await startTestRuntime({ rfmEveryMs: 0, clvEveryMs: 0 });
  defer(() => rt.close());
  const refused = await runImportOrders(
    { file: SAMPLE, format: 'cdnow', currency: 'USD', url: rt.url, writeKey: 'nope', concurrency: 1 },
    { progress: { write: () => true } },
  );
  assert.ok(!refused.ok && refused.error.code === 'send-failed' && /HTTP 401/.test(refused.error.message));
  const badCurrency = await runImportOrders(
    {
      file: SAMPLE,
      format: 'cdnow',
      currency: 'DOLLARS',
      url: rt.url,
      writeKey: rt.writeKey,
      concurrency: 1,
    },
    { progress: { write: () => true } },
  );
  assert.ok(!badCurrency.ok && badCurrency.error.code === 'bad-options');
  const missing = await runCli(['/nonexistent/orders.csv', '--format', 'csv', '--url', rt.url], {
    ORKESTRA_WRITE_KEY: rt.writeKey,
  });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read \/nonexistent\/orders\.csv/);
  const noKey = await runCli([SAMPLE, '--url', rt.url], { ORKESTRA_WRITE_KEY: '' });
  assert.equal(noKey.code, 1);
  assert.match(noKey.stderr, /no write key/);
});
