import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

describe('templates, sends, deliveries and providers through the API', () => {
  let rt: TestRuntime;
  let twilio: LocalServer;
  let profileId: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
    twilio = await startLocalServer(() => ({ status: 201, body: { sid: 'SM42' } }));
    const res = await rt.send('/v1/identify', {
      userId: 'ayse',
      traits: { firstName: 'Ayşe', email: 'ayse@example.com', phone: '+905321234567', locale: 'tr-TR' },
    });
    assert.equal(res.status, 200);
    await rt.settle();
    profileId = (await rt.admin('/api/profiles?q=ayse')).body.items[0].id;
  });
  after(async () => {
    await rt.close();
    await twilio.close();
  });

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);

  test('a template is versioned, checked at save and previewed for a profile', async () => {
    const tr = {
      sms: { ...SAMPLE_TEMPLATE.variants.sms, tr: { body: 'Merhaba {{ traits.firstName | upcase }}' } },
    };
    const first = await call('POST', '/api/templates', {
      ...SAMPLE_TEMPLATE,
      variants: { ...SAMPLE_TEMPLATE.variants, ...tr },
    });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    assert.equal(first.body.version, 1);
    assert.equal(first.body.smsInfo.tr.encoding, 'GSM-7');
    const second = await call('PUT', '/api/templates/t', { ...SAMPLE_TEMPLATE, id: undefined });
    assert.equal(second.body.version, 2);
    const bad = await call('PUT', '/api/templates/t', {
      ...SAMPLE_TEMPLATE,
      variants: { sms: { en: { body: '{{ profle.x | upcse }}' } } },
    });
    assert.equal(bad.status, 400);
    const rules = bad.body.error.issues.map((i: any) => `${i.path} ${i.rule}`).sort();
    assert.deepEqual(rules, [
      '$.variants.sms.en.body unknown-filter',
      '$.variants.sms.en.body unknown-variable',
    ]);
    const missing = await call('POST', '/api/templates', {
      id: 'x',
      defaultLocale: 'en',
      variants: { sms: {} },
    });
    assert.equal(missing.status, 400);
    assert.ok(missing.body.error.issues.some((i: { path: string }) => i.path.startsWith('$.variants.sms')));
    const got = await call('GET', '/api/templates/t');
    assert.deepEqual(
      got.body.versions.map((v: any) => v.version as number),
      [1, 2],
    );
    assert.equal(
      (await call('GET', '/api/templates/t/versions/1')).body.variants.sms.tr.body,
      tr.sms.tr.body,
    );
    const preview = await call('POST', '/api/templates/t/preview', { profileId, channel: 'sms', version: 1 });
    assert.equal(preview.body.rendered.body, 'Merhaba AYŞE');
    const email = await call('POST', '/api/templates/t/preview', {
      profileId,
      channel: 'email',
      locale: 'en',
    });
    assert.equal(email.body.rendered.subject, 'Hello Ayşe');
    assert.match(email.body.rendered.html, /Hi Ayşe, see/);
  });

  test('a provider keeps its secrets; a planned send goes out once and is logged', async () => {
    const put = await call('PUT', '/api/providers/twilio-main', {
      type: 'twilio',
      settings: {
        accountSid: 'AC1',
        from: '+15005550006',
        baseUrl: twilio.url,
        limits: { concurrency: 2, perSecond: 50 },
      },
      secrets: { authToken: 'super-secret-token' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const shown = JSON.stringify([put.body, (await call('GET', '/api/providers')).body]);
    assert.ok(!shown.includes('super-secret-token'), 'secrets are never returned');
    const noSecret = await call('PUT', '/api/providers/x', {
      type: 'twilio',
      settings: { accountSid: 'AC1' },
      secrets: {},
    });
    assert.equal(noSecret.status, 400);
    assert.equal(noSecret.body.error.issues[0].path, '$.secrets.authToken');

    const plan = {
      idempotencyKey: 'api:welcome:1',
      profileId,
      templateId: 't',
      templateVersion: 1,
      channel: 'sms',
    };
    const planned = await call('POST', '/api/sends', plan);
    assert.equal(planned.status, 201, JSON.stringify(planned.body));
    const again = await call('POST', '/api/sends', plan);
    assert.equal(again.status, 200);
    assert.equal(again.body.created, false);
    let delivery: any;
    for (;;) {
      delivery = (await call('GET', '/api/deliveries/api:welcome:1')).body;
      if (delivery.status === 'sent') break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(twilio.requests.length, 1);
    assert.equal(
      twilio.requests[0]!.headers.authorization,
      `Basic ${Buffer.from('AC1:super-secret-token').toString('base64')}`,
    );
    assert.equal(new URLSearchParams(twilio.requests[0]!.text).get('Body'), 'Merhaba AYŞE');
    assert.equal(delivery.provider, 'twilio');
    assert.equal(delivery.providerMessageId, 'SM42');
    assert.deepEqual(
      delivery.history.map((h: any) => h.status as string),
      ['planned', 'sending', 'accepted'],
    );
    const list = await call('GET', `/api/deliveries?profileId=${profileId}`);
    assert.equal(list.body.items.length, 1);
    const replay = await call('POST', `/api/deliveries/${delivery.id}/replay`);
    assert.equal(replay.status, 409, 'only dead deliveries are replayed');
  });

  test('push, WhatsApp, web push, webhook and HTTP SMS providers keep their secrets sealed', async () => {
    const pkcs8 = { type: 'pkcs8', format: 'pem' } as const;
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export(pkcs8).toString();
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export(pkcs8).toString();
    const configs = {
      fcm: [{ projectId: 'shop-app', clientEmail: 'push@shop-app.iam' }, { privateKey: rsa }],
      apns: [{ keyId: 'K1', teamId: 'T1', topic: 'com.shop.app' }, { signingKey: ec }],
      whatsapp: [{ phoneNumberId: '1055' }, { accessToken: 'secret-wa-token' }],
      vapid: [{ subject: 'mailto:ops@shop.example', publicKey: 'BPub' }, { privateKey: 'secret-vapid' }],
      webhook: [{}, { signingSecrets: ['whsec_secret-hook'] }],
      httpsms: [
        { name: 'netgsm', url: 'https://sms.example/send', auth: { type: 'bearer' } },
        { credential: 'secret-sms' },
      ],
    } as const;
    for (const [type, [settings, secrets]] of Object.entries(configs)) {
      const put = await call('PUT', `/api/providers/${type}-main`, { type, settings, secrets });
      assert.equal(put.status, 200, `${type}: ${JSON.stringify(put.body)}`);
      assert.equal(put.body.secrets, 'set');
    }
    const shown = JSON.stringify((await call('GET', '/api/providers')).body);
    assert.ok(!shown.includes('secret-') && !shown.includes('PRIVATE KEY'), 'no secret is ever returned');
    const notPem = await call('PUT', '/api/providers/f', {
      type: 'fcm',
      settings: configs.fcm[0],
      secrets: { privateKey: 'not a key' },
    });
    assert.equal(notPem.status, 400);
    assert.equal(notPem.body.error.issues[0].path, '$.secrets.privateKey');
    const bad = await call('PUT', '/api/providers/wa', { type: 'whatsapp', settings: {}, secrets: {} });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.issues[0].path, '$.settings.phoneNumberId');
    for (const type of Object.keys(configs)) await call('DELETE', `/api/providers/${type}-main`);
  });
  test('the delivery log per journey; a fallback time is checked against the channel', async () => {
    const send = (key: string, journeyId?: string) =>
      call('POST', '/api/sends', {
        idempotencyKey: key,
        profileId,
        templateId: 't',
        channel: ['email', 'sms'],
        fallbackAfterMs: 30 * 60_000,
        ...(journeyId ? { context: { journeyId } } : {}),
      });
    assert.equal((await send('log:j1:a', 'j1')).status, 201);
    assert.equal((await send('log:j1:b', 'j1')).status, 201);
    assert.equal((await send('log:j2:a', 'j2')).status, 201);
    const j1 = await call('GET', '/api/deliveries?journeyId=j1');
    assert.equal(j1.status, 200);
    assert.deepEqual(
      j1.body.items.map((d: any) => d.idempotencyKey as string),
      ['log:j1:b', 'log:j1:a'],
    );
    assert.equal(j1.body.items[0].fallbackAfterMs, 30 * 60_000);
    const j2 = await call('GET', `/api/deliveries?journeyId=j2&profileId=${profileId}`);
    assert.deepEqual(
      j2.body.items.map((d: any) => d.idempotencyKey as string),
      ['log:j2:a'],
    );
    assert.equal((await call('GET', '/api/deliveries?journeyId=nope')).body.items.length, 0);
    assert.equal((await call('GET', `/api/deliveries?journeyId=${'x'.repeat(201)}`)).status, 400);
    const named = await call('POST', '/api/sends', {
      idempotencyKey: 'log:named',
      profileId,
      templateId: 't',
      channel: 'sms',
      fallbackAfterMs: 60_000,
    });
    assert.equal(named.status, 400);
    assert.equal(named.body.error.issues[0].path, '$.fallbackAfterMs');
  });
});
