import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startLocalServer, type LocalServer } from '../src/channels/testing/local-server.js';
import { SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

describe('email open and click tracking', () => {
  let rt: TestRuntime;
  let sendgrid: LocalServer;
  let profileId: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
    sendgrid = await startLocalServer(() => ({ status: 202, headers: { 'x-message-id': 'sg1' } }));
    await rt.send('/v1/identify', {
      userId: 'ayse',
      traits: { firstName: 'Ayşe', email: 'ayse@example.com' },
    });
    await rt.settle();
    profileId = (await rt.admin('/api/profiles?q=ayse')).body.items[0].id;
  });
  after(async () => {
    await rt.close();
    await sendgrid.close();
  });

  const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);

  test('links are signed redirects with UTM, the pixel is added, and hits become events', async () => {
    const tracking = { opens: true, clicks: true, utm: { source: 'orkestra', medium: 'email' } };
    assert.equal((await call('POST', '/api/templates', { ...SAMPLE_TEMPLATE, tracking })).status, 201);
    const provider = await call('PUT', '/api/providers/sendgrid', {
      type: 'sendgrid',
      settings: { baseUrl: sendgrid.url },
      secrets: { apiKey: 'SG.key' },
    });
    assert.equal(provider.status, 200);
    const key = 'api:tracked:1';
    const planned = await call('POST', '/api/sends', {
      idempotencyKey: key,
      profileId,
      templateId: 't',
      channel: 'email',
    });
    assert.equal(planned.status, 201);
    while ((await call('GET', `/api/deliveries/${key}`)).body.status !== 'sent')
      await new Promise((resolve) => setTimeout(resolve, 5));

    const html = (JSON.parse(sendgrid.requests[0]!.text) as { content: { value: string }[] }).content[1]!
      .value;
    assert.ok(!html.includes('https://shop.example/sale'), 'the target is only inside the token');
    const click = html.match(/href="([^"]*\/t\/c\/[^"]+)"/)?.[1];
    const pixel = html.match(/<img src="([^"]*\/t\/o\/[^"]+\.gif)"/)?.[1];
    assert.ok(click && pixel, html);

    const image = await fetch(pixel);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get('content-type'), 'image/gif');
    assert.match(image.headers.get('cache-control') ?? '', /no-store/);
    const redirect = await fetch(click, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(
      redirect.headers.get('location'),
      'https://shop.example/sale?utm_source=orkestra&utm_medium=email',
    );

    // No open redirect: a changed token (another target) is refused.
    const [body, mac] = click.split('/t/c/')[1]!.split('.');
    const payload = JSON.parse(Buffer.from(body!, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...payload, u: 'https://evil.example' })).toString(
      'base64url',
    );
    assert.equal((await fetch(`${rt.url}/t/c/${forged}.${mac}`, { redirect: 'manual' })).status, 404);
    assert.equal((await fetch(`${rt.url}/t/o/${forged}.${mac}.gif`)).status, 200, 'still an image, no event');

    await rt.settle();
    const events = (await call('GET', `/api/profiles/${profileId}/events`)).body.items as any[];
    const byName = new Map(events.map((e) => [e.event, e.properties]));
    const delivery = (await call('GET', `/api/deliveries/${key}`)).body;
    assert.deepEqual(byName.get('Email Opened'), {
      deliveryId: delivery.id,
      idempotencyKey: key,
      templateId: 't',
    });
    assert.deepEqual(byName.get('Email Link Clicked'), {
      deliveryId: delivery.id,
      idempotencyKey: key,
      templateId: 't',
      url: 'https://shop.example/sale?utm_source=orkestra&utm_medium=email',
    });
    assert.equal(events.filter((e) => e.event === 'Email Opened').length, 1);
  });
});
