import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

/** Reads server-sent events from a fetch body until one named `event` arrives; returns its data. */
async function nextEvent(reader: ReadableStreamDefaultReader<Uint8Array>, event: string, seen: string[]) {
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const frames = buffer.split('\n\n');
    buffer = frames.pop() ?? '';
    for (const frame of frames) {
      seen.push(frame);
      const lines = frame.split('\n');
      if (lines.includes(`event: ${event}`))
        return JSON.parse(lines.find((l) => l.startsWith('data: '))!.slice(6)) as Record<string, any>;
    }
    const { value, done } = await reader.read();
    if (done) throw new Error(`stream ended before ${event}; saw ${JSON.stringify(seen)}`);
    buffer += decoder.decode(value, { stream: true });
  }
}

describe('the in-app inbox API', () => {
  let rt: TestRuntime;
  let basic: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline' });
    basic = `Basic ${Buffer.from(`${rt.writeKey}:`).toString('base64')}`;
    assert.equal(
      (await rt.send('/v1/identify', { userId: 'ayse', traits: { firstName: 'Ayşe' } })).status,
      200,
    );
    await rt.settle();
  });
  let closed = false;
  after(() => (closed ? undefined : rt.close()));

  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const app = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: { authorization: basic, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };

  test('a send on inapp is streamed live, listed newest first, and marked read', async () => {
    const template = await admin('POST', '/api/templates', {
      id: 'coupon',
      defaultLocale: 'en',
      variants: {
        inapp: {
          en: {
            title: 'Hi {{ traits.firstName }}',
            body: '10% off today',
            cta: { label: 'Shop', url: 'https://shop.example/sale' },
            expiresInHours: 48,
          },
        },
      },
    });
    assert.equal(template.status, 201, JSON.stringify(template.body));

    const controller = new AbortController();
    const stream = await fetch(`${rt.url}/v1/inbox/stream?userId=ayse`, {
      headers: { authorization: basic, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    assert.equal(stream.status, 200);
    assert.match(stream.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = stream.body!.getReader();
    const frames: string[] = [];

    const profileId = (await admin('GET', '/api/profiles?q=ayse')).body.items[0].id;
    const send = {
      idempotencyKey: 'inbox:1',
      profileId,
      templateId: 'coupon',
      templateVersion: 1,
      channel: 'inapp',
    };
    assert.equal((await admin('POST', '/api/sends', send)).status, 201);

    const live = await nextEvent(reader, 'message', frames);
    assert.equal(frames[0], ': connected');
    assert.equal(live.title, 'Hi Ayşe');
    assert.deepEqual(live.cta, { label: 'Shop', url: 'https://shop.example/sale' });
    assert.equal(live.readAt, null);
    assert.equal(Date.parse(live.expiresAt) - Date.parse(live.createdAt), 48 * 3_600_000);
    controller.abort();

    let delivery: any;
    do delivery = (await admin('GET', '/api/deliveries/inbox:1')).body;
    while (delivery.status !== 'sent');
    assert.equal(delivery.provider, 'inbox');
    assert.equal(delivery.providerMessageId, live.id);

    const second = { ...send, idempotencyKey: 'inbox:2' };
    assert.equal((await admin('POST', '/api/sends', second)).status, 201);
    let listed: any;
    do listed = (await app('GET', '/v1/inbox?userId=ayse')).body;
    while (listed.items.length < 2);
    assert.equal(listed.unread, 2);
    assert.equal(listed.items[1].id, live.id, 'newest first');

    const read = await app('POST', `/v1/inbox/${live.id}/read`, { userId: 'ayse' });
    assert.equal(read.status, 200, JSON.stringify(read.body));
    assert.equal(read.body.unread, 1);
    const after = (await app('GET', '/v1/inbox?userId=ayse')).body;
    assert.ok(after.items[1].readAt, 'read time recorded');
    assert.deepEqual(
      (await app('GET', '/v1/inbox?userId=ayse&unreadOnly=true')).body.items.map((i: any) => i.id as string),
      [after.items[0].id],
    );
  });

  test('the write key is required and fields are checked', async () => {
    const anonymous = await fetch(`${rt.url}/v1/inbox?userId=ayse`);
    assert.equal(anonymous.status, 401);
    const noUser = await app('GET', '/v1/inbox');
    assert.equal(noUser.status, 400);
    assert.equal(noUser.body.error.issues[0].path, '$.query.userId');
    const badId = await app('POST', '/v1/inbox/42/read', { userId: 'ayse' });
    assert.equal(badId.status, 400);
    assert.equal(badId.body.error.issues[0].path, '$.params.id');
    const unknown = await app('GET', '/v1/inbox?userId=nobody');
    assert.deepEqual(unknown.body, { items: [], unread: 0 });
    assert.equal(
      (await fetch(`${rt.url}/v1/inbox/stream?userId=nobody`, { headers: { authorization: basic } })).status,
      404,
    );
  });

  test('closing the server ends open streams cleanly', async () => {
    const stream = await fetch(`${rt.url}/v1/inbox/stream?userId=ayse`, {
      headers: { authorization: basic },
    });
    const reader = stream.body!.getReader();
    await reader.read();
    await rt.close();
    closed = true;
    for (;;) if ((await reader.read()).done) break;
  });
});
