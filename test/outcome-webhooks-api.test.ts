import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { snsStringToSign, type SnsEnvelope } from '../src/core/channels/ses-notification.js';
import { SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { signSendGridEvents } from '../src/channels/email/sendgrid-signature.js';
import { signTwilioRequest } from '../src/server/twilio-signature.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-outcomes';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
/** The Signed Event Webhook's key pair: ECDSA P-256, the public half shown as base64 DER. */
const sendGridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const sendGridVerificationKey = sendGridKeys.publicKey
  .export({ type: 'spki', format: 'der' })
  .toString('base64');

/** An SNS message as SNS would sign it (SignatureVersion 2: SHA256withRSA). */
function sns(fields: Omit<SnsEnvelope, 'TopicArn' | 'Timestamp' | 'MessageId'> & { MessageId?: string }) {
  const m = {
    MessageId: `sns-${Math.random()}`,
    TopicArn: TOPIC,
    Timestamp: '2025-03-03T10:00:00.000Z',
    ...fields,
  };
  const Signature = createSign('RSA-SHA256').update(snsStringToSign(m)).sign(privateKey, 'base64');
  return { ...m, SignatureVersion: '2', Signature, SigningCertURL: 'https://sns.example/cert.pem' };
}

describe('provider webhooks: SES via SNS and Twilio status callbacks', () => {
  let rt: TestRuntime;
  let ses: LocalServer;
  let twilio: LocalServer;
  let sendgrid: LocalServer;
  let profileId: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
    ses = await startLocalServer(() => ({ status: 200, body: { MessageId: `ses-${ses.requests.length}` } }));
    twilio = await startLocalServer(() => ({ status: 201, body: { sid: 'SM9' } }));
    // SendGrid's Mail Send: 202 with the message id in X-Message-Id.
    sendgrid = await startLocalServer(() => ({
      status: 202,
      body: '',
      headers: { 'x-message-id': `sgmsg${sendgrid.requests.length}` },
    }));
    const context = { os: { name: 'iOS' }, device: { type: 'ios' } };
    await rt.send('/v1/identify', {
      userId: 'ada',
      traits: { firstName: 'Ada', email: 'ada@example.com', phone: '+15005550011' },
      context,
    });
    await rt.settle();
    profileId = (await rt.admin('/api/profiles?q=ada')).body.items[0].id;
  });
  after(async () => {
    await rt.close();
    await ses.close();
    await twilio.close();
    await sendgrid.close();
  });

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const postSns = (body: unknown, password = 'hook-pass') =>
    fetch(`${rt.url}/webhooks/ses`, {
      method: 'POST',
      headers: {
        'content-type': 'text/plain; charset=UTF-8',
        authorization: `Basic ${Buffer.from(`sns:${password}`).toString('base64')}`,
      },
      body: JSON.stringify(body),
    });
  const sendAndWait = async (key: string, channel: string, to = profileId) => {
    await call('POST', '/api/sends', { idempotencyKey: key, profileId: to, templateId: 't', channel });
    for (;;) {
      const d = (await call('GET', `/api/deliveries/${key}`)).body;
      if (d.status !== 'pending' && d.status !== 'sending') return d as Record<string, any>;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };
  const events = async () => {
    await rt.settle();
    return (await call('GET', `/api/profiles/${profileId}/events?limit=100`)).body.items as {
      event: string;
      properties: Record<string, unknown>;
    }[];
  };
  const sesEvent = (type: string, extra: object) =>
    JSON.stringify({
      notificationType: type,
      mail: { messageId: 'ses-1', destination: ['ada@example.com'] },
      ...extra,
    });

  test('SES: confirmation recorded, delivery and bounce applied, spoofing refused', async () => {
    assert.equal((await call('POST', '/api/templates', SAMPLE_TEMPLATE)).status, 201);
    const put = await call('PUT', '/api/providers/ses', {
      type: 'ses',
      settings: {
        region: 'eu-west-1',
        baseUrl: ses.url,
        snsTopicArn: TOPIC,
        snsSigningCert: publicKey.export({ type: 'spki', format: 'pem' }),
      },
      secrets: { accessKeyId: 'AKID', secretAccessKey: 'secret', webhookPassword: 'hook-pass' },
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    const sent = await sendAndWait('api:ses:1', 'email');
    assert.equal(sent.providerMessageId, 'ses-1');

    const confirm = sns({
      Type: 'SubscriptionConfirmation',
      Message: 'You have chosen to subscribe',
      Token: 'tok',
      SubscribeURL: 'https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=tok',
    });
    assert.equal((await postSns(confirm)).status, 200);
    const listed = await call('GET', '/api/webhooks/ses/subscriptions');
    assert.equal(listed.body.items[0].subscribeUrl, confirm.SubscribeURL);
    assert.equal(ses.requests.length, 1, 'the SubscribeURL is not fetched');

    const delivered = sns({
      Type: 'Notification',
      Message: sesEvent('Delivery', { delivery: { recipients: ['ada@example.com'] } }),
    });
    assert.equal((await postSns(delivered)).status, 200);
    assert.equal((await postSns(delivered, 'wrong')).status, 401);
    assert.equal(
      (await postSns({ ...delivered, Message: sesEvent('Complaint', {}) })).status,
      403,
      'altered',
    );

    const bounce = sns({
      Type: 'Notification',
      Message: sesEvent('Bounce', {
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: 'ada@example.com' }],
        },
      }),
    });
    assert.equal((await postSns(bounce)).status, 200);
    const history = (await call('GET', '/api/deliveries/api:ses:1')).body.history.map(
      (h: { status: string }) => h.status,
    );
    assert.deepEqual(history, ['planned', 'sending', 'accepted', 'delivered', 'bounced']);
    const names = (await events()).map((e) => e.event);
    assert.ok(names.includes('Email Delivered') && names.includes('Email Bounced'), names.join());
    const next = await sendAndWait('api:ses:2', 'email');
    assert.equal(next.status, 'skipped');
    assert.match(next.reason, /email: address suppressed/);
  });

  test('SendGrid: signed event batches become outcomes, once each; unsigned or altered ones are refused', async () => {
    const put = await call('PUT', '/api/providers/sendgrid', {
      type: 'sendgrid',
      settings: { baseUrl: sendgrid.url, webhookVerificationKey: 'not a key' },
      secrets: { apiKey: 'SG.key' },
    });
    assert.equal(put.status, 400, 'a verification key that is not a public key is refused');
    assert.match(JSON.stringify(put.body), /webhookVerificationKey/);
    const post = (body: string, sign = true, timestamp = String(Math.floor(Date.now() / 1000))) =>
      fetch(`${rt.url}/webhooks/sendgrid`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-twilio-email-event-webhook-timestamp': timestamp,
          ...(sign
            ? {
                'x-twilio-email-event-webhook-signature': signSendGridEvents(
                  sendGridKeys.privateKey,
                  timestamp,
                  body,
                ),
              }
            : {}),
        },
        body,
      });
    const unconfigured = await post('[]');
    assert.equal(unconfigured.status, 403, 'no key configured: nothing is accepted');

    assert.equal(
      (
        await call('PUT', '/api/providers/sendgrid', {
          type: 'sendgrid',
          settings: { baseUrl: sendgrid.url, webhookVerificationKey: sendGridVerificationKey },
          secrets: { apiKey: 'SG.key' },
        })
      ).status,
      200,
    );
    // Ada's address bounced on SES above: Grace receives this one (the first provider by name, SendGrid, serves email now).
    await rt.send('/v1/identify', { userId: 'grace', traits: { email: 'grace@example.com' } });
    await rt.settle();
    const grace = (await rt.admin('/api/profiles?q=grace')).body.items[0].id as string;
    const sent = await sendAndWait('api:sg:1', 'email', grace);
    assert.equal(sent.provider, 'sendgrid', JSON.stringify(sent));
    const sgId = sent.providerMessageId as string;
    const event = (e: object) => ({
      email: 'grace@example.com',
      timestamp: 1764000000,
      sg_event_id: `ev-${Math.random()}`,
      sg_message_id: `${sgId}.filterdrecv-5645d9c87f-xxnj5-1-67E1-2.0`,
      orkestra_key: 'api:sg:1',
      ...e,
    });
    const batch = JSON.stringify([
      event({ event: 'processed' }),
      event({ event: 'delivered', response: '250 OK' }),
      event({ event: 'open', sg_machine_open: false, useragent: 'Mozilla/5.0', ip: '203.0.113.9' }),
    ]);
    assert.equal((await post(batch, false)).status, 403, 'unsigned');
    const altered = await fetch(`${rt.url}/webhooks/sendgrid`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-twilio-email-event-webhook-timestamp': '1764000000',
        'x-twilio-email-event-webhook-signature': signSendGridEvents(
          sendGridKeys.privateKey,
          '1764000000',
          batch,
        ),
      },
      body: batch.replace('250 OK', '250 Ok'),
    });
    assert.equal(altered.status, 403, 'altered after signing');
    const bad = await post(JSON.stringify([{ event: 'delivered' }]));
    assert.equal(bad.status, 400);
    const refusal = (await bad.json()) as { error: { issues: { path: string }[] } };
    assert.equal(refusal.error.issues[0]?.path, '$[0].email');

    const ok = await post(batch);
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { received: 3, applied: 1, suppressed: [] });
    // SendGrid retries a batch it thinks failed: the outcome is not doubled.
    assert.equal((await post(batch)).status, 200);
    // SendGrid batches hundreds of events: larger than the 64 KB the form routes take.
    const big = JSON.stringify(Array.from({ length: 400 }, () => event({ event: 'processed' })));
    assert.ok(big.length > 64 * 1024);
    assert.deepEqual(await (await post(big)).json(), { received: 400, applied: 0, suppressed: [] });
    const spam = await post(JSON.stringify([event({ event: 'spamreport' })]));
    assert.deepEqual(await spam.json(), { received: 1, applied: 1, suppressed: ['grace@example.com'] });

    const history = (await call('GET', '/api/deliveries/api:sg:1')).body.history.map(
      (h: { status: string }) => h.status,
    );
    assert.deepEqual(history, ['planned', 'sending', 'accepted', 'delivered', 'complained']);
    await rt.settle();
    const timeline = (await call('GET', `/api/profiles/${grace}/events?limit=100`)).body.items as {
      event: string;
      properties: Record<string, unknown>;
    }[];
    const names = timeline.map((e) => e.event);
    assert.equal(names.filter((n) => n === 'Email Delivered').length, 1, names.join());
    assert.equal(names.filter((n) => n === 'Email Marked as Spam').length, 1, names.join());
    const delivered = timeline.find((e) => e.event === 'Email Delivered')!;
    assert.equal(delivered.properties.provider, 'sendgrid');
    assert.equal(delivered.properties.idempotencyKey, 'api:sg:1');
    const next = await sendAndWait('api:sg:2', 'email', grace);
    assert.equal(next.status, 'skipped', 'a spam report suppresses the address');
  });

  test('Twilio status callbacks are signed and become SMS events', async () => {
    await call('PUT', '/api/providers/twilio', {
      type: 'twilio',
      settings: { accountSid: 'AC1', from: '+15005550006', baseUrl: twilio.url },
      secrets: { authToken: 'tw-token' },
    });
    await sendAndWait('api:sms:1', 'sms');
    const params = new URLSearchParams({ MessageSid: 'SM9', MessageStatus: 'delivered', To: '+15005550011' });
    const post = (signature: string) =>
      fetch(`${rt.url}/webhooks/twilio/status`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
        body: params.toString(),
      });
    assert.equal((await post('bad')).status, 403);
    assert.equal(
      (await post(signTwilioRequest('tw-token', `${rt.url}/webhooks/twilio/status`, params))).status,
      204,
    );
    const sms = (await events()).find((e) => e.event === 'SMS Delivered');
    assert.equal(sms?.properties.idempotencyKey, 'api:sms:1');
  });

  test('an unsubscribe reaches profile.subscriptions and segments; internal events keep the last channel', async () => {
    const segment = {
      id: 'email-reachable',
      name: 'Reachable by email',
      condition: { type: 'reachable', channel: 'email' },
    };
    assert.equal((await call('POST', '/api/segments', segment)).status, 200);
    const members = async () =>
      ((await call('GET', '/api/segments/email-reachable/members')).body.items as { id: string }[]).map(
        (m) => m.id,
      );
    assert.ok((await members()).includes(profileId));
    const links = (await call('GET', `/api/profiles/${profileId}/consent`)).body.links;
    const res = await fetch(links.unsubscribe, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    assert.equal(res.status, 200);
    await rt.settle();
    const profile = (await rt.store.getProfile(profileId as never))!.profile;
    assert.equal(profile.subscriptions?.email, false);
    assert.ok(!(await members()).includes(profileId), 'Ada left; others stay');
    assert.equal(profile.lastChannel, 'ios', 'receipts and consent events are not activity');
  });
});
