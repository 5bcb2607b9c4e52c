import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_CONFIG, startRuntime } from '../src/cli/runtime.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

/** The brand's backend side, computed here without Orkestra's code: HMAC-SHA256(secret, userId), hex. */
const tokenFor = (secret: string, userId: string) =>
  createHmac('sha256', secret).update(userId).digest('hex');
const SECRET = 'a-known-inbox-secret-for-tests';

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
  /** Ayşe's token as Orkestra issues it (`POST /api/inbox/tokens`). */
  let ayseToken: string;
  before(async () => {
    rt = await startTestRuntime({ engineThread: 'inline', inboxSecret: SECRET });
    basic = `Basic ${Buffer.from(`${rt.writeKey}:`).toString('base64')}`;
    for (const [userId, firstName] of [
      ['ayse', 'Ayşe'],
      ['mehmet', 'Mehmet'],
    ] as const)
      assert.equal((await rt.send('/v1/identify', { userId, traits: { firstName } })).status, 200);
    await rt.settle();
    const issued = await admin('POST', '/api/inbox/tokens', { userId: 'ayse' });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    ayseToken = issued.body.token;
  });
  let closed = false;
  after(() => (closed ? undefined : rt.close()));

  const admin = (method: string, path: string, body?: unknown) => rt.call(method, path, body);
  /** An app's call: the write key as HTTP Basic, and the user token when given. */
  const app = async (method: string, path: string, body?: unknown, token: string | null = ayseToken) => {
    const res = await fetch(`${rt.url}${path}`, {
      method,
      headers: {
        authorization: basic,
        'content-type': 'application/json',
        ...(token === null ? {} : { 'x-orkestra-user-token': token }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  const assertUnauthorized = (res: { status: number; body: any }, rule: string) => {
    assert.equal(res.status, 401, JSON.stringify(res.body));
    assert.equal(res.body.error.code, 'unauthorized');
    assert.equal(res.body.error.issues[0].rule, rule, JSON.stringify(res.body));
  };

  test('tokens are issued to the admin key, and are HMAC-SHA256 of the userId with the secret', async () => {
    assert.equal(ayseToken, tokenFor(SECRET, 'ayse'));
    assert.match(ayseToken, /^[0-9a-f]{64}$/);
    assert.deepEqual((await admin('POST', '/api/inbox/tokens', { userId: 'mehmet' })).body, {
      userId: 'mehmet',
      token: tokenFor(SECRET, 'mehmet'),
    });
    const missing = await admin('POST', '/api/inbox/tokens', {});
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error.issues[0].path, '$.userId');
    const withWriteKey = await fetch(`${rt.url}/api/inbox/tokens`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'ayse' }),
    });
    assert.equal(withWriteKey.status, 401, 'the write key is public: it cannot mint tokens');
  });

  test('without the user’s own token, no inbox call succeeds', async () => {
    const mehmetToken = tokenFor(SECRET, 'mehmet');
    const noToken = await app('GET', '/v1/inbox?userId=ayse', undefined, null);
    assertUnauthorized(noToken, 'required');
    assert.equal(noToken.body.error.issues[0].path, '$.headers["x-orkestra-user-token"]');
    assertUnauthorized(await app('GET', '/v1/inbox?userId=ayse', undefined, mehmetToken), 'user_token');
    assertUnauthorized(
      await app('GET', '/v1/inbox?userId=ayse', undefined, tokenFor('guess', 'ayse')),
      'user_token',
    );
    assertUnauthorized(
      await app('GET', '/v1/inbox?userId=ayse', undefined, ayseToken.toUpperCase()),
      'user_token',
    );
    const inQuery = await app('GET', `/v1/inbox?userId=ayse&userToken=${mehmetToken}`, undefined, null);
    assertUnauthorized(inQuery, 'user_token');
    assert.equal(inQuery.body.error.issues[0].path, '$.query.userToken');
    // A token for Mehmet reads Mehmet's inbox, not Ayşe's.
    assert.equal((await app('GET', '/v1/inbox?userId=mehmet', undefined, mehmetToken)).status, 200);

    assertUnauthorized(await app('POST', '/v1/inbox/inb_1/read', { userId: 'ayse' }, null), 'required');
    assertUnauthorized(
      await app('POST', '/v1/inbox/inb_1/read', { userId: 'ayse' }, mehmetToken),
      'user_token',
    );

    for (const query of [
      '',
      `&writeKey=${rt.writeKey}`,
      `&writeKey=${rt.writeKey}&userToken=${mehmetToken}`,
    ]) {
      const res = await fetch(`${rt.url}/v1/inbox/stream?userId=ayse${query}`);
      assert.equal(res.status, 401, query);
      assert.equal(((await res.json()) as any).error.code, 'unauthorized');
    }
    const wrongKey = await fetch(
      `${rt.url}/v1/inbox/stream?userId=ayse&writeKey=nope&userToken=${ayseToken}`,
    );
    assert.equal(wrongKey.status, 401);
    assert.equal(((await wrongKey.json()) as any).error.message, 'unknown write key');
  });

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

    // As a browser's EventSource would: no headers, the write key and the token in the query.
    const controller = new AbortController();
    const query = `userId=ayse&writeKey=${rt.writeKey}&userToken=${tokenFor(SECRET, 'ayse')}`;
    const stream = await fetch(`${rt.url}/v1/inbox/stream?${query}`, { signal: controller.signal });
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
    const nobody = tokenFor(SECRET, 'nobody');
    const unknown = await app('GET', '/v1/inbox?userId=nobody', undefined, nobody);
    assert.deepEqual(unknown.body, { items: [], unread: 0 });
    const headers = { authorization: basic, 'x-orkestra-user-token': nobody };
    assert.equal((await fetch(`${rt.url}/v1/inbox/stream?userId=nobody`, { headers })).status, 404);
  });

  test('closing the server ends open streams cleanly', async () => {
    const stream = await fetch(`${rt.url}/v1/inbox/stream?userId=ayse`, {
      headers: { authorization: basic, 'x-orkestra-user-token': ayseToken },
    });
    assert.equal(stream.status, 200);
    const reader = stream.body!.getReader();
    await reader.read();
    await rt.close();
    closed = true;
    for (;;) if ((await reader.read()).done) break;
  });
});

describe('the inbox secret', () => {
  test('is generated once per data directory and survives a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-test-'));
    const config = {
      ...DEFAULT_CONFIG,
      host: '127.0.0.1',
      port: 0,
      dataDir,
      engineThread: 'inline' as const,
    };
    const tokenFrom = async (rt: { url: string; adminKey: string }) => {
      const res = await fetch(`${rt.url}/api/inbox/tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${rt.adminKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: 'ayse' }),
      });
      return ((await res.json()) as { token: string }).token;
    };
    try {
      const first = await startRuntime(config);
      const before = await tokenFrom(first).finally(() => first.close());
      const second = await startRuntime(config);
      try {
        assert.equal(await tokenFrom(second), before);
        const secret = await second.store.getSetting('inbox_secret');
        assert.match(secret ?? '', /^[0-9a-f]{64}$/, '32 random bytes, hex');
        assert.equal(before, tokenFor(secret!, 'ayse'));
        assert.notEqual(before, tokenFor(SECRET, 'ayse'));
      } finally {
        await second.close();
      }
      // The environment's secret wins over the stored one.
      const third = await startRuntime({ ...config, inboxSecret: SECRET });
      assert.equal(await tokenFrom(third).finally(() => third.close()), tokenFor(SECRET, 'ayse'));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
