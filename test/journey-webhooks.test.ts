import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { hmacSigner, webhookIdFor } from '../src/channels/webhook/standard-webhook.js';
import type { EpochMs } from '../src/core/brand.js';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

const T0 = Date.parse('2025-03-03T10:00:00Z');
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

let rt: TestRuntime;
let crm: ReturnType<typeof createServer>;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

before(async () => {
  // A CRM that answers each person's tier.
  crm = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      const { email } = JSON.parse(body) as { email?: string };
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ tier: email === 'ada@example.com' ? 'gold' : 'basic' }));
    });
  });
  await new Promise<void>((r) => crm.listen(0, '127.0.0.1', r));
  rt = await startTestRuntime({ clock: () => T0 as EpochMs, journeyWebhookSecret: SECRET });
});
after(async () => {
  await rt.close();
  crm.close();
});

const call = (method: string, path: string, body?: unknown) => rt.call(method, path, body);

test('a webhook node calls the URL signed, and a later split uses its JSON response', async () => {
  const url = `http://127.0.0.1:${(crm.address() as AddressInfo).port}/tier`;
  const journey = {
    id: 'tiered',
    name: 'Tiered',
    trigger: { type: 'api' },
    nodes: [
      { id: 'start', type: 'entry' },
      { id: 'lookup', type: 'webhook', url, body: { email: 'ada@example.com' }, responseKey: 'crm' },
      {
        id: 'is-gold',
        type: 'condition',
        test: { context: [{ property: 'crm.tier', op: 'equals', value: 'gold' }] },
      },
      { id: 'gold', type: 'send', template: 'gold', channel: 'log', category: 'transactional' },
      { id: 'basic', type: 'send', template: 'basic', channel: 'log', category: 'transactional' },
      { id: 'done', type: 'exit' },
    ],
    edges: [
      { from: 'start', to: 'lookup' },
      { from: 'lookup', to: 'is-gold' },
      { from: 'is-gold', to: 'gold', branch: 'yes' },
      { from: 'is-gold', to: 'basic', branch: 'no' },
      { from: 'gold', to: 'done' },
      { from: 'basic', to: 'done' },
    ],
  };
  const published = await call('POST', '/api/journeys/tiered/publish', { definition: journey });
  assert.equal(published.status, 200, JSON.stringify(published.body));
  const started = await call('POST', '/api/journeys/tiered/runs', { userId: 'ada', idempotencyKey: 'k1' });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  assert.equal(started.body.run.nodeId, 'lookup', 'the run waits for the response');
  assert.equal(await rt.journeyWebhooks.runOnce(), 1);
  await rt.settle();
  const { body } = await call('GET', `/api/journeys/tiered/runs/${started.body.run.runId}`);
  assert.equal(body.run.status, 'ended');
  assert.deepEqual(body.run.context.crm, { tier: 'gold' });
  assert.deepEqual(
    body.sends.map((s: { nodeId: string }) => s.nodeId),
    ['lookup', 'gold'],
  );
  const [req] = received;
  const key = body.sends[0].idempotencyKey as string;
  assert.equal(req!.headers['webhook-id'], webhookIdFor(key), 'the idempotency key names the call');
  const header = (name: string): string => String(req!.headers[name]);
  const content = `${header('webhook-id')}.${header('webhook-timestamp')}.${req!.body}`;
  assert.equal(req!.headers['webhook-signature'], `v1,${hmacSigner(SECRET)(content)}`);
  assert.equal(await rt.journeyWebhooks.runOnce(), 0, 'each call is made once');
});
