import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const journey = {
  id: 'welcome-sms',
  name: 'Welcome SMS',
  trigger: { type: 'event', event: 'Signed Up' },
  nodes: [
    { id: 'start', type: 'entry' },
    { id: 'welcome', type: 'send', template: 'welcome', channel: 'sms', category: 'transactional' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'welcome' },
    { from: 'welcome', to: 'done' },
  ],
};

describe('a journey send step reaches a provider', () => {
  let rt: TestRuntime;
  let twilio: LocalServer;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
    twilio = await startLocalServer(() => ({ status: 201, body: { sid: `SM${twilio.requests.length}` } }));
  });
  after(async () => {
    await rt.close();
    await twilio.close();
  });

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  const template = (text: string) => ({
    id: 'welcome',
    defaultLocale: 'en',
    variants: { sms: { en: { body: `${text} {{ traits.firstName }}` } } },
  });
  const signUp = async (userId: string) => {
    await rt.send('/v1/identify', { userId, traits: { firstName: userId, phone: '+15005550010' } });
    await rt.send('/v1/track', { userId, event: 'Signed Up' });
    await rt.settle();
    rt.messaging.dispatcher.kick();
    for (;;) {
      const profileId = (await call('GET', `/api/profiles?q=${userId}`)).body.items[0].id as string;
      const { body } = await call('GET', `/api/deliveries?status=sent&profileId=${profileId}`);
      if (body.items.length > 0)
        return body.items[0] as { id: number; templateVersion: number; provider: string };
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  };

  test('the run sends the template version live when its step ran, and the provider accepts it', async () => {
    assert.equal((await call('POST', '/api/templates', template('Welcome v1'))).status, 201);
    const provider = await call('PUT', '/api/providers/twilio', {
      type: 'twilio',
      settings: { accountSid: 'AC1', from: '+15005550006', baseUrl: twilio.url },
      secrets: { authToken: 'token' },
    });
    assert.equal(provider.status, 200);
    const published = await call('POST', '/api/journeys/welcome-sms/publish', { definition: journey });
    assert.equal(published.status, 200, JSON.stringify(published.body));

    const first = await signUp('ada');
    assert.equal(first.templateVersion, 1, 'version 0 was fixed when the step ran');
    assert.equal(first.provider, 'twilio');
    assert.equal(new URLSearchParams(twilio.requests[0]!.text).get('Body'), 'Welcome v1 ada');

    assert.equal((await call('PUT', '/api/templates/welcome', template('Welcome v2'))).status, 200);
    const second = await signUp('bob');
    assert.equal(second.templateVersion, 2);
    assert.equal(new URLSearchParams(twilio.requests[1]!.text).get('Body'), 'Welcome v2 bob');
    const history = (await call('GET', `/api/deliveries/${first.id}`)).body.history.map(
      (h: { status: string }) => h.status,
    );
    assert.deepEqual(history, ['planned', 'sending', 'accepted']);
  });
});
