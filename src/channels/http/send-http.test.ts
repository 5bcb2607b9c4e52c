import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { startLocalServer } from '../testing/local-server.js';
import { failureFromNetwork, failureFromResponse, isRetryableStatus, sendHttp } from './send-http.js';

const now = () => Date.parse('2024-01-01T00:00:00Z');

test('statuses map to retryable or permanent failures', async () => {
  const server = await startLocalServer((req) => {
    if (req.path === '/429') return { status: 429, headers: { 'retry-after': '7' }, body: 'slow down' };
    if (req.path === '/503')
      return { status: 503, headers: { 'retry-after': 'Mon, 01 Jan 2024 00:01:00 GMT' } };
    return { status: 400, body: { error: 'bad' } };
  });
  try {
    const get = async (path: string) => {
      const r = await sendHttp({ url: server.url + path, method: 'GET' });
      assert.ok(r.ok);
      return failureFromResponse('test', r.response, { now });
    };
    assert.deepEqual(await get('/429'), {
      status: 'failed',
      retryable: true,
      reason: 'test 429: slow down',
      retryAfterMs: 7000,
      httpStatus: 429,
    });
    const unavailable = await get('/503');
    assert.ok(
      unavailable.status === 'failed' && unavailable.retryable && unavailable.retryAfterMs === 60_000,
    );
    const bad = await get('/400');
    assert.ok(bad.status === 'failed' && !bad.retryable && bad.reason.includes('"bad"'));
  } finally {
    await server.close();
  }
  assert.deepEqual([408, 500, 502, 404, 410, 301].map(isRetryableStatus), [
    true,
    true,
    true,
    false,
    false,
    false,
  ]);
});

test('a refused connection is reported, not thrown', async () => {
  const server = await startLocalServer(() => ({ status: 200 }));
  const url = server.url;
  await server.close();
  const r = await sendHttp({ url, timeoutMs: 2000 });
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.inDoubt, false, 'nothing can have been sent without a connection');
});

test('a connection lost after the request left, or an answer that never comes, is in doubt', async (t) => {
  // A server that reads the request and then hangs up, and one that never answers.
  const hangUp = createServer((socket) => socket.once('data', () => socket.destroy()));
  const silent = createServer(() => {});
  t.after(() => {
    hangUp.close();
    silent.close();
  });
  const listen = (s: ReturnType<typeof createServer>) =>
    new Promise<string>((resolve) =>
      s.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(s.address() as AddressInfo).port}/`)),
    );
  const lost = await sendHttp({ url: await listen(hangUp), body: '{}' });
  assert.deepEqual(lost.ok ? null : [lost.inDoubt, /other side closed|ECONNRESET|socket/i.test(lost.error)], [
    true,
    true,
  ]);
  const slow = await sendHttp({ url: await listen(silent), body: '{}', timeoutMs: 200 });
  assert.deepEqual(slow.ok ? null : [slow.inDoubt, slow.error.startsWith('TimeoutError')], [true, true]);
  assert.deepEqual(failureFromNetwork('ses', { error: 'x', inDoubt: true }), {
    status: 'failed',
    retryable: true,
    reason: 'ses unreachable: x',
    inDoubt: true,
  });
});
