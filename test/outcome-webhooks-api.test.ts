import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { snsStringToSign, type SnsEnvelope } from '../src/core/channels/ses-notification.js';
import { SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { signTwilioRequest } from '../src/server/twilio-signature.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:ses-outcomes';
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

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
  let profileId: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
    ses = await startLocalServer(() => ({ status: 200, body: { MessageId: `ses-${ses.requests.length}` } }));
    twilio = await startLocalServer(() => ({ status: 201, body: { sid: 'SM9' } }));
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
  const sendAndWait = async (key: string, channel: string) => {
    await call('POST', '/api/sends', { idempotencyKey: key, profileId, templateId: 't', channel });
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
    assert.deepEqual(await members(), [profileId]);
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
    assert.deepEqual(await members(), []);
    assert.equal(profile.lastChannel, 'ios', 'receipts and consent events are not activity');
  });
});
