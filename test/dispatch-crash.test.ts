import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startLocalServer } from '../src/channels/testing/local-server.js';
import { startLocalSmtp } from '../src/channels/testing/local-smtp.js';
import { openDispatchFixture, SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { cleanupStack } from './support/cleanup.js';

const SENDS = 300;
const CONCURRENCY = 8;
type Kind = 'twilio' | 'ses' | 'smtp';

function startChild(dir: string, kind: Kind, target: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('test', 'support', 'dispatch-child.ts'), dir, kind, target],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited };
}

/**
 * Plans SENDS messages on `channel`, runs a dispatcher child that is SIGKILLed twice while it sends
 * (once a quarter and once half of the messages have reached the provider), then one that finishes.
 * `received()` is how many messages the provider has got so far.
 */
async function sendThroughKills(
  t: Parameters<typeof cleanupStack>[0],
  kind: Kind,
  target: string,
  received: () => number,
) {
  const defer = cleanupStack(t);
  const dir = mkdtempSync(join(tmpdir(), `orkestra-dispatch-kill-${kind}-`));
  defer(() => rmSync(dir, { recursive: true, force: true }));
  const channel = kind === 'twilio' ? 'sms' : 'email';
  const f = await openDispatchFixture({ dir });
  await f.saveTemplate(SAMPLE_TEMPLATE);
  for (let i = 0; i < SENDS; i++) {
    await f.addProfile(`p${i}`, {
      firstName: `P${i}`,
      phone: `+90532${String(1_000_000 + i)}`,
      email: `p${i}@shop.example`,
    });
    await f.plan(`run${i}:send:${channel}`, `p${i}`, { channel });
  }
  await f.close({ keep: true });
  let kills = 0;
  for (const killAt of [SENDS / 4, SENDS / 2]) {
    const { child, exited } = startChild(dir, kind, target);
    let gone = false;
    void exited.then(() => (gone = true));
    while (received() < killAt) {
      if (gone) throw new Error(`the ${kind} dispatcher exited before ${killAt} sends arrived`);
      await new Promise((resolve) => setImmediate(resolve));
    }
    child.kill('SIGKILL');
    await exited;
    kills++;
  }
  const finish = async () => {
    const { exited } = startChild(dir, kind, target);
    assert.equal(await exited, 0);
  };
  await finish();
  const after = await openDispatchFixture({ dir });
  defer(() => after.close({ keep: true }));
  return { kills, outbox: after.messaging.outbox, finish };
}

const count = (keys: readonly string[]) => {
  const perKey = new Map<string, number>();
  for (const k of keys) perKey.set(k, (perKey.get(k) ?? 0) + 1);
  return perKey;
};

test('killed during sends on an idempotent provider (Twilio), a key in flight is resent with the same token and created once', async (t) => {
  // A Twilio stand-in that, like Twilio, answers a repeated I-Twilio-Idempotency-Token with the first answer.
  const firstSid = new Map<string, string>();
  const server = await startLocalServer((req) => {
    const token = String(req.headers['i-twilio-idempotency-token']);
    if (!firstSid.has(token)) firstSid.set(token, `SM${firstSid.size + 1}`);
    return { status: 201, body: { sid: firstSid.get(token) } };
  });
  t.after(() => server.close());
  const { kills, outbox } = await sendThroughKills(t, 'twilio', server.url, () => server.requests.length);

  const tokens = server.requests.map((r) => {
    const token = String(r.headers['i-twilio-idempotency-token']);
    // Each request carries its delivery's key, so a repeat is one the provider drops.
    assert.match(token, /^run\d+:send:sms$/);
    assert.equal(new URLSearchParams(r.text).get('Body'), `Hi P${/^run(\d+)/.exec(token)![1]}`);
    return token;
  });
  const perKey = count(tokens);
  assert.equal(perKey.size, SENDS, 'every planned send reached the provider');
  assert.equal(firstSid.size, SENDS, 'the provider created one message per key');
  const repeated = [...perKey].filter(([, n]) => n > 1);
  t.diagnostic(`${repeated.length} keys were in flight at a kill and sent again with the same token`);
  assert.ok(repeated.length <= kills * CONCURRENCY, `${repeated.length} keys repeated: only those in flight`);
  assert.ok(
    repeated.every(([, n]) => n === 2),
    'a key is repeated at most once per kill',
  );
  assert.deepEqual(await outbox.counts(), { sent: SENDS });
  for (const [key] of repeated) {
    const history = (await outbox.history((await outbox.getByKey(key))!.id)).map((h) => h.status);
    assert.ok(history.includes('reconciled'), `${key} was retried only after a crash: ${history.join(',')}`);
  }
});

/**
 * For providers that would take a repeat as a new message: no key is ever sent twice. A send in
 * flight at a kill becomes `unknown` (whether or not the provider got it); an operator who checked
 * the provider's log replays those that did not arrive, and then every key has arrived exactly once.
 */
async function assertAtMostOnce(
  t: Parameters<typeof cleanupStack>[0],
  kind: Kind,
  run: Awaited<ReturnType<typeof sendThroughKills>>,
  receivedKeys: () => string[],
) {
  const { kills, outbox, finish } = run;
  const perKey = count(receivedKeys());
  assert.ok(
    [...perKey.values()].every((n) => n === 1),
    `no key reached ${kind} twice: ${JSON.stringify([...perKey].filter(([, n]) => n > 1))}`,
  );
  const counts = await outbox.counts();
  const unknown = await outbox.list({ status: 'unknown', limit: 1000 });
  t.diagnostic(`${kind}: ${JSON.stringify(counts)}; ${unknown.length} in doubt after ${kills} kills`);
  assert.equal((counts.sent ?? 0) + (counts.unknown ?? 0), SENDS, 'every send is sent or unknown');
  assert.ok(unknown.length <= kills * CONCURRENCY, 'only sends in flight at a kill are in doubt');
  for (const d of await outbox.list({ status: 'sent', limit: 1000 }))
    assert.equal(perKey.get(d.idempotencyKey), 1, `${d.idempotencyKey} is sent and arrived once`);
  for (const d of unknown) {
    const history = (await outbox.history(d.id)).map((h) => h.status);
    assert.deepEqual(history.slice(-1), ['unknown'], `${d.idempotencyKey}: ${history.join(',')}`);
  }
  // The operator's side: replay what the provider does not have.
  const missing = unknown.filter((d) => !perKey.has(d.idempotencyKey));
  for (const d of missing) assert.equal(await outbox.replay(d.id, Date.now() as never), true);
  await finish();
  const final = count(receivedKeys());
  assert.equal(final.size, SENDS, 'after the replay every key has arrived');
  assert.ok(
    [...final.values()].every((n) => n === 1),
    'and none twice',
  );
}

test('killed during sends on SES (no idempotency key), no key is sent twice; sends in doubt wait for a replay', async (t) => {
  const server = await startLocalServer((req) => ({
    status: 200,
    body: { MessageId: `ses-${req.path.length}-${Math.random().toString(36).slice(2)}` },
  }));
  t.after(() => server.close());
  const run = await sendThroughKills(t, 'ses', server.url, () => server.requests.length);
  await assertAtMostOnce(t, 'ses', run, () =>
    server.requests.map((r) => {
      assert.equal(r.path, '/v2/email/outbound-emails');
      const body = JSON.parse(r.text) as {
        Content: { Simple: { Headers: { Name: string; Value: string }[] } };
      };
      return body.Content.Simple.Headers.find((h) => h.Name === 'X-Orkestra-Idempotency-Key')!.Value;
    }),
  );
});

test('killed during sends over SMTP, no message is sent twice; sends in doubt wait for a replay', async (t) => {
  const smtp = await startLocalSmtp();
  t.after(() => smtp.close());
  const run = await sendThroughKills(t, 'smtp', String(smtp.port), () => smtp.received.length);
  await assertAtMostOnce(t, 'smtp', run, () =>
    smtp.received.map((m) => /^X-Orkestra-Idempotency-Key: (.+)$/im.exec(m.raw)![1]!.trim()),
  );
});
