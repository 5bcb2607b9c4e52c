import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLocalServer } from '../src/channels/testing/local-server.js';
import { openDispatchFixture, SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { cleanupStack } from './support/cleanup.js';

const SENDS = 400;
const CONCURRENCY = 8;

function startChild(dir: string, url: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('test', 'support', 'dispatch-child.ts'), dir, url],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

test('killed during sends, the dispatcher never sends one key twice except with the same idempotency token', async (t) => {
  const defer = cleanupStack(t);
  const dir = mkdtempSync(join(tmpdir(), 'orkestra-dispatch-kill-'));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  // A Twilio stand-in that, like Twilio, answers a repeated I-Twilio-Idempotency-Token with the first answer.
  const firstSid = new Map<string, string>();
  const server = await startLocalServer((req) => {
    const token = String(req.headers['i-twilio-idempotency-token']);
    if (!firstSid.has(token)) firstSid.set(token, `SM${firstSid.size + 1}`);
    return { status: 201, body: { sid: firstSid.get(token) } };
  });
  defer(() => server.close());

  const f = await openDispatchFixture({ dir });
  await f.saveTemplate(SAMPLE_TEMPLATE);
  for (let i = 0; i < SENDS; i++) {
    await f.addProfile(`p${i}`, { firstName: `P${i}`, phone: `+90532${String(1_000_000 + i)}` });
    await f.plan(`run${i}:send:sms`, `p${i}`, { channel: 'sms' });
  }
  await f.close({ keep: true });

  let kills = 0;
  for (const killAt of [SENDS / 4, SENDS / 2]) {
    const { child, exited } = startChild(dir, server.url);
    while (server.requests.length < killAt) await new Promise((resolve) => setImmediate(resolve));
    child.kill('SIGKILL');
    await exited;
    kills++;
  }
  const { exited } = startChild(dir, server.url);
  assert.equal(await exited, 0);

  const perKey = new Map<string, number>();
  for (const r of server.requests) {
    const body = new URLSearchParams(r.text);
    const token = String(r.headers['i-twilio-idempotency-token']);
    // Each request carries its delivery's key, so a repeat is one the provider drops.
    assert.match(token, /^run\d+:send:sms$/);
    assert.equal(body.get('Body'), `Hi P${/^run(\d+)/.exec(token)![1]}`);
    perKey.set(token, (perKey.get(token) ?? 0) + 1);
  }
  assert.equal(perKey.size, SENDS, 'every planned send reached the provider');
  assert.equal(firstSid.size, SENDS, 'the provider created one message per key');
  const repeated = [...perKey].filter(([, n]) => n > 1);
  t.diagnostic(`${repeated.length} keys were in flight at a kill and sent again with the same token`);
  assert.ok(
    repeated.length <= kills * CONCURRENCY,
    `${repeated.length} keys repeated: only those in flight at a kill`,
  );
  assert.ok(
    repeated.every(([, n]) => n === 2),
    'a key is repeated at most once per kill it was in flight for',
  );

  const after = await openDispatchFixture({ dir });
  defer(() => after.close({ keep: true }));
  assert.deepEqual(await after.messaging.outbox.counts(), { sent: SENDS });
  for (const [key] of repeated) {
    const d = await after.messaging.outbox.getByKey(key);
    const history = (await after.messaging.outbox.history(d!.id)).map((h) => h.status);
    assert.ok(history.includes('reconciled'), `${key} was retried only after a crash: ${history.join(',')}`);
  }
});
