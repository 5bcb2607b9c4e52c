import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { signTwilioRequest } from '../src/server/twilio-signature.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const PUBLIC = 'https://crm.example';

describe('consent: one-click unsubscribe, preference page, SMS keywords', () => {
  let rt: TestRuntime;
  let sendgrid: LocalServer;
  let profileId: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline', publicUrl: PUBLIC });
    sendgrid = await startLocalServer(() => ({ status: 202, headers: { 'x-message-id': 'sg1' } }));
    await rt.send('/v1/identify', {
      userId: 'cem',
      traits: { firstName: 'Cem', email: 'cem@example.com', phone: '+905321112233' },
    });
    await rt.settle();
    profileId = (await rt.admin('/api/profiles?q=cem')).body.items[0].id;
    assert.equal((await call('POST', '/api/templates', SAMPLE_TEMPLATE)).status, 201);
    const put = await call('PUT', '/api/providers/sendgrid', {
      type: 'sendgrid',
      settings: { baseUrl: sendgrid.url },
      secrets: { apiKey: 'SG.key' },
    });
    assert.equal(put.status, 200);
    await call('PUT', '/api/providers/twilio', {
      type: 'twilio',
      settings: { accountSid: 'AC1', from: '+15005550006', baseUrl: sendgrid.url },
      secrets: { authToken: 'twilio-token' },
    });
  });
  after(async () => {
    await rt.close();
    await sendgrid.close();
  });

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  async function sendAndWait(key: string, category: string) {
    await call('POST', '/api/sends', {
      idempotencyKey: key,
      profileId,
      templateId: 't',
      channel: 'email',
      category,
    });
    for (;;) {
      const d = (await call('GET', `/api/deliveries/${key}`)).body;
      if (d.status !== 'pending' && d.status !== 'sending') return d as Record<string, unknown>;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  test('marketing email carries RFC 8058 headers; the one-click POST unsubscribes at once', async () => {
    const d = await sendAndWait('m1', 'marketing');
    assert.equal(d.status, 'sent');
    const body = JSON.parse(sendgrid.requests.at(-1)!.text);
    const header: string = body.headers['List-Unsubscribe'];
    assert.equal(body.headers['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
    assert.equal(body.headers['X-Orkestra-Idempotency-Key'], 'm1');
    const url = /^<(https:\/\/crm\.example\/unsubscribe\/[^>]+)>$/.exec(header)![1]!;
    const path = url.slice(PUBLIC.length);
    const forged = await fetch(`${rt.url}${path.slice(0, -3)}abc`, {
      method: 'POST',
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(forged.status, 404);
    const res = await fetch(`${rt.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.status, 200);
    assert.equal((await sendAndWait('m2', 'marketing')).status, 'skipped');
    assert.equal(
      (await sendAndWait('t1', 'transactional')).status,
      'sent',
      'transactional bypasses the opt-out',
    );
    await rt.settle();
    const events = (await rt.admin(`/api/profiles/${profileId}/events`)).body.items.map(
      (e: any) => e.event as string,
    );
    assert.ok(events.includes('Unsubscribed'), `the timeline shows it: ${events.join(', ')}`);
  });

  test('the preference page shows the choices and saves them', async () => {
    const { links } = (await call('GET', `/api/profiles/${profileId}/consent`)).body;
    const path = links.preferences.slice(PUBLIC.length);
    const html = await (await fetch(`${rt.url}${path}`)).text();
    assert.match(html, /<input type="checkbox" name="key" value="email"> Email/);
    assert.match(html, /value="sms" checked/);
    const saved = await fetch(`${rt.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'key=email&key=sms',
    });
    assert.match(await saved.text(), /value="email" checked/);
    assert.equal((await sendAndWait('m3', 'marketing')).status, 'sent');
  });

  test('an inbound SMS keyword (Turkish included) applies when Twilio signed it', async () => {
    const url = `${PUBLIC}/webhooks/twilio/inbound`;
    const post = (body: URLSearchParams, signature: string) =>
      fetch(`${rt.url}/webhooks/twilio/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: body.toString(),
      });
    const stop = new URLSearchParams({ From: '+905321112233', Body: 'İptal', MessageSid: 'SMin1' });
    assert.equal((await post(stop, 'bad')).status, 403);
    assert.equal((await post(stop, signTwilioRequest('twilio-token', url, stop))).status, 200);
    assert.equal((await call('GET', `/api/profiles/${profileId}/consent`)).body.subscriptions.sms, false);
    const help = new URLSearchParams({ From: '+905321112233', Body: 'yardım', MessageSid: 'SMin2' });
    assert.match(
      await (await post(help, signTwilioRequest('twilio-token', url, help))).text(),
      /<Message>Reply STOP/,
    );
    const start = new URLSearchParams({ From: '+905321112233', Body: 'BAŞLA', MessageSid: 'SMin3' });
    await post(start, signTwilioRequest('twilio-token', url, start));
    assert.equal((await call('GET', `/api/profiles/${profileId}/consent`)).body.subscriptions.sms, true);
  });
});
