import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { API_BATCH_LIMITS, BatchSendError, packBatches, retryAfterMs, sendBatches } from './batch-sender.js';

test('batches keep within the message count and the byte size of a request', () => {
  const small = Array.from({ length: 6000 }, (_, i) => ({ i }));
  assert.deepEqual(
    packBatches(small).map((b) => b.length),
    [2500, 2500, 1000],
  );
  const big = Array.from({ length: 100 }, () => ({ pad: 'x'.repeat(20_000) }));
  const batches = packBatches(big);
  for (const b of batches) {
    assert.ok(Buffer.byteLength(JSON.stringify({ batch: b })) <= API_BATCH_LIMITS.maxBytes);
  }
  assert.equal(batches.flat().length, 100);
  assert.ok(batches.length >= 4);
  assert.deepEqual(packBatches([]), []);
});

test('Retry-After is read as seconds or as an HTTP date', () => {
  assert.equal(retryAfterMs('3', 0), 3000);
  assert.equal(retryAfterMs('Thu, 01 Jan 1970 00:00:05 GMT', 1000), 4000);
  assert.equal(retryAfterMs(null, 0), undefined);
  assert.equal(retryAfterMs('soon', 0), undefined);
});

/** A fake server answering from a script, recording what it was sent. */
function scripted(answers: (() => Response)[]) {
  const bodies: unknown[] = [];
  const headers: Headers[] = [];
  const fake: typeof fetch = async (_url, init) => {
    headers.push(new Headers(init?.headers));
    bodies.push(JSON.parse(gunzipSync(init?.body as Uint8Array).toString('utf8')));
    const next = answers.shift();
    if (!next) throw new Error('connection refused');
    return next();
  };
  return { fake, bodies, headers };
}

test('429 and 5xx are retried after Retry-After (or a backoff); the body is gzip JSON with the write key', async () => {
  const { fake, bodies, headers } = scripted([
    () => new Response('slow down', { status: 429, headers: { 'retry-after': '2' } }),
    () => new Response('oops', { status: 503 }),
    () => Response.json({ success: true }),
  ]);
  const waits: number[] = [];
  const sent: number[] = [];
  const retries = await sendBatches([[{ a: 1 }, { a: 2 }]], {
    url: 'http://x/',
    writeKey: 'wk',
    fetch: fake,
    sleep: async (ms) => void waits.push(ms),
    onSent: (n) => sent.push(n),
  });
  assert.equal(retries, 2);
  assert.deepEqual(waits, [2000, 500]);
  assert.deepEqual(sent, [2]);
  assert.deepEqual(bodies[2], { batch: [{ a: 1 }, { a: 2 }] });
  assert.equal(headers[0]!.get('content-encoding'), 'gzip');
  assert.equal(headers[0]!.get('authorization'), `Basic ${Buffer.from('wk:').toString('base64')}`);
});

test('a 400 is not retried; endless failures give up after the attempts allowed', async () => {
  const refused = scripted([() => new Response('bad', { status: 400 })]);
  await assert.rejects(
    sendBatches([[1]], { url: 'http://x', writeKey: 'k', fetch: refused.fake, sleep: async () => {} }),
    (e: unknown) => e instanceof BatchSendError && e.status === 400,
  );
  assert.equal(refused.bodies.length, 1);
  const down = scripted([]);
  await assert.rejects(
    sendBatches([[1]], {
      url: 'http://x',
      writeKey: 'k',
      fetch: down.fake,
      sleep: async () => {},
      maxAttempts: 3,
    }),
    /gave up after 3 attempts: Error: connection refused/,
  );
  assert.equal(down.bodies.length, 3);
});

test('several batches are in flight at once, never more than the concurrency', async () => {
  let inFlight = 0;
  let most = 0;
  // Each request is held until three are in flight (gzip runs on the thread pool, so lanes arrive at
  // their own pace), or 200 ms pass for the last ones; a fourth in flight would show in `most`.
  let release: () => void = () => undefined;
  let gate = new Promise<void>((r) => (release = r));
  const fake: typeof fetch = async () => {
    most = Math.max(most, ++inFlight);
    if (inFlight >= 3) release();
    await Promise.race([gate, new Promise((r) => setTimeout(r, 200))]);
    inFlight--;
    if (inFlight === 0) gate = new Promise<void>((r) => (release = r));
    return Response.json({ success: true });
  };
  const batches = Array.from({ length: 10 }, (_, i) => [i]);
  let total = 0;
  await sendBatches(batches, {
    url: 'http://x',
    writeKey: 'k',
    fetch: fake,
    concurrency: 3,
    onSent: (n) => (total += n),
  });
  assert.equal(most, 3);
  assert.equal(total, 10);
});
