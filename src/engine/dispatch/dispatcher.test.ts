import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test, type TestContext } from 'node:test';
import { createSendGridEmail } from '../../channels/email/sendgrid-email.js';
import { createTwilioSms } from '../../channels/sms/twilio-sms.js';
import { startLocalServer, type StubResponse } from '../../channels/testing/local-server.js';
import type { EpochMs } from '../../core/brand.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import { Dispatcher } from './dispatcher.js';
import { OutcomeService } from './outcome-service.js';
import { ProviderLane } from './provider-lane.js';
import { openDispatchFixture, SAMPLE_TEMPLATE, type DispatchFixture } from './testing/dispatch-fixture.js';

const T0 = Date.parse('2024-06-10T12:00:00Z');
const twilioOk: StubResponse = { status: 201, body: { sid: 'SM1' } };

/** A dispatcher over the fixture's stores with fixed jitter and 3 attempts, 1 s to 60 s apart. */
function testDispatcher(
  f: DispatchFixture,
  lanes: ReadonlyMap<MessageChannel, ProviderLane>,
  clock: () => EpochMs,
): Dispatcher {
  return new Dispatcher({
    ...f.ports,
    lanes: () => lanes,
    clock,
    random: () => 0.5,
    retry: { maxAttempts: 3, baseMs: 1000, maxMs: 60_000 },
  });
}

async function setup(t: TestContext, handler: () => StubResponse) {
  let now = T0;
  const clock = () => now as EpochMs;
  const f: DispatchFixture = await openDispatchFixture({ now: clock });
  const server = await startLocalServer(handler);
  t.after(async () => {
    await server.close();
    await f.close();
  });
  await f.saveTemplate(SAMPLE_TEMPLATE);
  await f.addProfile('p1', { firstName: 'Ayşe', email: 'ayse@example.com', phone: '+905321234567' });
  const sms = createTwilioSms({
    accountSid: 'AC1',
    authToken: 'tok',
    from: '+15005550006',
    baseUrl: server.url,
    now: clock,
  });
  const lanes = new Map<MessageChannel, ProviderLane>([
    [
      'sms',
      new ProviderLane(
        sms,
        { concurrency: 2, perSecond: 1000 },
        { failureThreshold: 100, cooldownMs: 1 },
        clock,
      ),
    ],
  ]);
  const dispatcher = testDispatcher(f, lanes, clock);
  return { f, server, dispatcher, advance: (ms: number) => void (now += ms), clock };
}

test('a retry waits for Retry-After, then sends with the same idempotency key', async (t) => {
  const { f, server, dispatcher, advance } = await setup(t, () => ({
    status: 429,
    headers: { 'retry-after': '30' },
  }));
  await f.plan('run1:n1:sms', 'p1', { channel: 'sms' });
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 1);
  const after = await f.messaging.outbox.getByKey('run1:n1:sms');
  assert.equal(after?.status, 'pending');
  assert.equal(after?.nextAttemptAt, T0 + 30_000, 'Retry-After (30 s) beats the 1 s backoff');
  server.respond(() => twilioOk);
  advance(29_000);
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 1, 'not before Retry-After');
  advance(1_000);
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 2);
  assert.deepEqual(
    server.requests.map((r) => r.headers['i-twilio-idempotency-token']),
    ['run1:n1:sms', 'run1:n1:sms'],
  );
  const sent = await f.messaging.outbox.getByKey('run1:n1:sms');
  assert.equal(sent?.status, 'sent');
  assert.equal(sent?.providerMessageId, 'SM1');
  const history = (await f.messaging.outbox.history(sent.id)).map((h) => h.status);
  assert.deepEqual(history, ['planned', 'sending', 'retry', 'sending', 'accepted']);
});

test('after the last retry a delivery is dead-lettered, and a replay sends it', async (t) => {
  const { f, server, dispatcher, advance } = await setup(t, () => ({
    status: 503,
    body: { message: 'down' },
  }));
  await f.plan('run1:n2:sms', 'p1', { channel: 'sms' });
  for (let i = 0; i < 3; i++) {
    await dispatcher.runOnce();
    advance(60_000);
  }
  const dead = await f.messaging.outbox.getByKey('run1:n2:sms');
  assert.equal(dead?.status, 'dead');
  assert.equal(dead?.attempts, 3);
  assert.match(dead?.error ?? '', /gave up after 3 attempts: twilio 503/);
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 3, 'nothing more is sent once dead');
  server.respond(() => twilioOk);
  assert.equal(await f.messaging.outbox.replay(dead.id, T0 as EpochMs), true);
  await dispatcher.runOnce();
  const replayed = await f.messaging.outbox.get(dead.id);
  assert.equal(replayed?.status, 'sent');
  assert.equal(server.requests.length, 4);
});

test('a lost answer is retried only on a provider that drops repeats; otherwise the delivery is unknown until replayed', async (t) => {
  // One server for both providers: it reads each request, then hangs up without answering while
  // `hangUp` is set (the provider may or may not have acted on it), else answers as the provider does.
  let hangUp = true;
  const paths: string[] = [];
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      paths.push(req.url ?? '');
      if (hangUp) return req.socket.destroy();
      if (req.url?.startsWith('/v3/mail/send')) res.writeHead(202, { 'x-message-id': 'sg-1' }).end();
      else res.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM1"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.after(() => server.close());
  const base = await setup(t, () => twilioOk);
  const { f, advance, clock } = base;
  const lanes = new Map<MessageChannel, ProviderLane>([
    [
      'email',
      new ProviderLane(
        createSendGridEmail({ apiKey: 'k', baseUrl: url }),
        { concurrency: 2, perSecond: 1000 },
        undefined,
        clock,
      ),
    ],
    [
      'sms',
      new ProviderLane(
        createTwilioSms({ accountSid: 'AC1', authToken: 'tok', from: '+1500', baseUrl: url }),
        { concurrency: 2, perSecond: 1000 },
        undefined,
        clock,
      ),
    ],
  ]);
  const dispatcher = testDispatcher(f, lanes, clock);
  await f.plan('run1:mail:email', 'p1', { channel: 'email' });
  await f.plan('run1:text:sms', 'p1', { channel: 'sms' });
  await dispatcher.runOnce();
  assert.equal(paths.length, 2);
  const mail = (await f.messaging.outbox.getByKey('run1:mail:email'))!;
  assert.equal(mail.status, 'unknown', 'SendGrid would take a repeat as a new email');
  assert.match(mail.error ?? '', /^in doubt: sendgrid unreachable: .*not resent by itself/);
  assert.equal(
    (await f.messaging.outbox.getByKey('run1:text:sms'))!.status,
    'pending',
    'Twilio drops a repeat',
  );
  hangUp = false;
  advance(60_000);
  await dispatcher.runOnce();
  assert.deepEqual(paths.slice(2), ['/2010-04-01/Accounts/AC1/Messages.json'], 'only the SMS is sent again');
  assert.equal((await f.messaging.outbox.getByKey('run1:text:sms'))!.status, 'sent');
  assert.equal((await f.messaging.outbox.get(mail.id))!.status, 'unknown', 'still waiting for an operator');
  assert.equal(await f.messaging.outbox.replay(mail.id, clock()), true);
  await dispatcher.runOnce();
  assert.equal((await f.messaging.outbox.get(mail.id))!.status, 'sent');
  assert.deepEqual(
    (await f.messaging.outbox.history(mail.id)).map((h) => h.status),
    ['planned', 'sending', 'unknown', 'replayed', 'sending', 'accepted'],
  );
});

test('consent is checked at send time; transactional bypasses opt-outs but not suppressions', async (t) => {
  const { f, server, dispatcher } = await setup(t, () => twilioOk);
  await f.messaging.consent.setConsent('p1' as never, { sms: false }, T0 as EpochMs, 'test');
  await f.plan('m:sms', 'p1', { channel: 'sms' });
  await f.plan('tx:sms', 'p1', { channel: 'sms', category: 'transactional' });
  await dispatcher.runOnce();
  assert.equal((await f.messaging.outbox.getByKey('m:sms'))?.status, 'skipped');
  assert.match((await f.messaging.outbox.getByKey('m:sms'))?.reason ?? '', /not subscribed/);
  assert.equal((await f.messaging.outbox.getByKey('tx:sms'))?.status, 'sent');
  await f.messaging.consent.suppress('sms', '+905321234567', 'complaint', T0 as EpochMs);
  await f.plan('tx2:sms', 'p1', { channel: 'sms', category: 'transactional' });
  await dispatcher.runOnce();
  assert.equal((await f.messaging.outbox.getByKey('tx2:sms'))?.status, 'skipped');
  assert.equal(server.requests.length, 1);
});

test('an ordered list falls through to the first usable channel and records why', async (t) => {
  const { f, server, dispatcher } = await setup(t, () => twilioOk);
  await f.plan('l:1', 'p1', { channel: ['push', 'email', 'sms'] });
  await dispatcher.runOnce();
  const d = await f.messaging.outbox.getByKey('l:1');
  assert.equal(d?.status, 'sent');
  assert.equal(d?.chosenChannel, 'sms');
  assert.equal(d?.reason, 'first usable of the list (push: no provider; email: no provider)');
  assert.match(server.requests[0]!.text, /Body=Hi\+Ay%C5%9Fe/);
});

/** The setup above plus an email lane (SendGrid against a local server answering 202 with an id). */
async function setupWithEmail(t: TestContext) {
  const base = await setup(t, () => twilioOk);
  const mail = await startLocalServer(() => ({ status: 202, headers: { 'x-message-id': 'SG1' } }));
  t.after(() => mail.close());
  const email = createSendGridEmail({ apiKey: 'k', baseUrl: mail.url });
  const lanes = new Map<MessageChannel, ProviderLane>([
    ['email', new ProviderLane(email, { concurrency: 2, perSecond: 1000 }, undefined, base.clock)],
    [
      'sms',
      new ProviderLane(
        createTwilioSms({ accountSid: 'AC1', authToken: 'tok', from: '+1500', baseUrl: base.server.url }),
        { concurrency: 2, perSecond: 1000 },
        undefined,
        base.clock,
      ),
    ],
  ]);
  const dispatcher = new Dispatcher({
    ...base.f.ports,
    lanes: () => lanes,
    clock: base.clock,
    random: () => 0.5,
  });
  return { ...base, mail, dispatcher };
}

const THIRTY_MIN = 30 * 60_000;

test('timed fallback: email accepted but not delivered in time is sent once more by SMS', async (t) => {
  const { f, server, mail, dispatcher, advance } = await setupWithEmail(t);
  await f.plan('fb:1', 'p1', { channel: ['email', 'sms'], fallbackAfterMs: THIRTY_MIN });
  await dispatcher.runOnce();
  const email = await f.messaging.outbox.getByKey('fb:1');
  assert.equal(email?.status, 'sent');
  assert.equal(email?.chosenChannel, 'email');
  assert.equal(mail.requests.length, 1);
  advance(THIRTY_MIN - 1);
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 0, 'no SMS before the fallback time');
  advance(1);
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 1, 'the SMS goes out at the fallback time');
  assert.equal(server.requests[0]!.headers['i-twilio-idempotency-token'], 'fb:1:fallback:sms');
  const sms = await f.messaging.outbox.getByKey('fb:1:fallback:sms');
  assert.equal(sms?.status, 'sent');
  assert.equal(sms?.chosenChannel, 'sms');
  assert.equal(sms?.fallbackOf, email.id);
  assert.equal(sms?.reason, 'fallback: email not delivered within 30 min');
  const emailHistory = await f.messaging.outbox.history(email.id);
  assert.deepEqual(emailHistory.at(-1), {
    status: 'fallback',
    at: T0 + THIRTY_MIN,
    detail: 'fallback: email not delivered within 30 min: sent again on sms as fb:1:fallback:sms',
  });
  advance(THIRTY_MIN * 4);
  await dispatcher.runOnce();
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 1, 'never sent twice');
  assert.equal(mail.requests.length, 1);
  const after = (await f.messaging.outbox.history(email.id)).filter((h) => h.status === 'fallback');
  assert.equal(after.length, 1);
  assert.equal(
    (await f.messaging.outbox.getByKey('fb:1:fallback:sms'))?.fallbackAt,
    undefined,
    'no channel left',
  );
});

test('timed fallback: a delivered outcome in time means no SMS', async (t) => {
  const { f, server, mail, dispatcher, advance, clock } = await setupWithEmail(t);
  const outcomes = new OutcomeService({
    outbox: f.messaging.outbox,
    consent: f.messaging.consent,
    emit: async () => true,
    clock,
  });
  await f.plan('fb:2', 'p1', { channel: ['email', 'sms'], fallbackAfterMs: THIRTY_MIN });
  await dispatcher.runOnce();
  assert.equal(mail.requests.length, 1);
  advance(10 * 60_000);
  const applied = await outcomes.apply({
    provider: 'sendgrid',
    channel: 'email',
    providerMessageId: 'SG1',
    kind: 'delivered',
    recipients: ['ayse@example.com'],
    permanent: false,
  });
  assert.equal(applied.deliveryId, (await f.messaging.outbox.getByKey('fb:2'))?.id);
  advance(THIRTY_MIN);
  await dispatcher.runOnce();
  advance(THIRTY_MIN);
  await dispatcher.runOnce();
  assert.equal(server.requests.length, 0);
  assert.equal(await f.messaging.outbox.getByKey('fb:2:fallback:sms'), undefined);
});

/** A provider stand-in that answers 202 only after `ms`; closing it fails what is in flight. */
async function startHangingServer(ms: number) {
  const { createServer } = await import('node:http');
  const timers: NodeJS.Timeout[] = [];
  let received = 0;
  const server = createServer((_req, res) => {
    received++;
    timers.push(setTimeout(() => res.writeHead(202).end(), ms));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    received: () => received,
    close: () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      server.close();
    },
  };
}

test('a provider answering after 10 s does not delay another provider', async (t) => {
  const clock = () => Date.now() as EpochMs;
  const f = await openDispatchFixture();
  const slow = await startHangingServer(10_000);
  const fast = await startLocalServer(() => twilioOk);
  await f.saveTemplate(SAMPLE_TEMPLATE);
  for (let i = 0; i < 10; i++)
    await f.addProfile(`p${i}`, {
      firstName: `P${i}`,
      email: `p${i}@example.com`,
      phone: `+9053212345${10 + i}`,
    });
  const email = createSendGridEmail({ apiKey: 'k', baseUrl: slow.url, timeoutMs: 20_000 });
  const sms = createTwilioSms({ accountSid: 'AC1', authToken: 't', from: '+15005550006', baseUrl: fast.url });
  const lanes = new Map<MessageChannel, ProviderLane>([
    ['email', new ProviderLane(email, { concurrency: 2, perSecond: 100 })],
    ['sms', new ProviderLane(sms, { concurrency: 2, perSecond: 100 })],
  ]);
  const dispatcher = new Dispatcher({
    ...f.ports,
    lanes: () => lanes,
    clock,
    pollMs: 20,
  });
  t.after(async () => {
    slow.close();
    await dispatcher.stop();
    await fast.close();
    await f.close();
  });
  // Emails first, so they are the oldest in the outbox.
  for (let i = 0; i < 10; i++) await f.plan(`e:${i}`, `p${i}`, { channel: 'email' });
  for (let i = 0; i < 10; i++) await f.plan(`s:${i}`, `p${i}`, { channel: 'sms' });
  const started = Date.now();
  await dispatcher.start();
  while ((await f.messaging.outbox.counts()).sent !== 10)
    await new Promise((resolve) => setImmediate(resolve));
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 3_000, `SMS went out in ${elapsed} ms while email hung`);
  assert.equal(fast.requests.length, 10);
  assert.equal(slow.received(), 2, 'the slow provider holds only its own two slots');
  assert.equal((await f.messaging.outbox.counts()).sending, 2);
});
