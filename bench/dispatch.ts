// Dispatch benchmark: messages rendered (Liquid over a compiled MJML email) and sent end to end from
// the outbox to a local SendGrid-compatible server, per second; beside it, the same rendering alone.
import { createSendGridEmail } from '../src/channels/email/sendgrid-email.js';
import type { CompiledTemplate } from '../src/channels/render/compile-template.js';
import { createMessageRenderer } from '../src/channels/render/render-message.js';
import { startLocalServer } from '../src/channels/testing/local-server.js';
import type { EpochMs, ProfileId } from '../src/core/brand.js';
import type { MessageChannel } from '../src/core/channels/variants.js';
import { createProfile, setTraits } from '../src/core/profiles/profile.js';
import { Dispatcher } from '../src/engine/dispatch/dispatcher.js';
import { ProviderLane } from '../src/engine/dispatch/provider-lane.js';
import { openDispatchFixture, SAMPLE_TEMPLATE } from '../src/engine/dispatch/testing/dispatch-fixture.js';

const N = Number(process.env.BENCH_MESSAGES ?? 5000);
const now = () => Date.now() as EpochMs;

const f = await openDispatchFixture();
const server = await startLocalServer(() => ({ status: 202, headers: { 'x-message-id': 'sg' } }));
await f.saveTemplate(SAMPLE_TEMPLATE);
const profiles = Array.from({ length: N }, (_, i) =>
  setTraits(
    createProfile(`prf_${i}` as ProfileId, now(), 'server'),
    { firstName: `P${i}`, email: `p${i}@example.com` },
    now(),
  ),
);
await f.store.commitBatch({ merges: [], identities: new Map(), events: [], profiles });
await f.messaging.outbox.plan(
  profiles.map((p, i) => ({
    idempotencyKey: `bench:${i}:email`,
    profileId: p.id,
    channel: 'email' as const,
    templateId: 't',
    templateVersion: 1,
    category: 'transactional' as const,
    plannedAt: now(),
  })),
);

// Rendering only: the same compiled template, the same people.
const compiled = (await f.messaging.templates.getTemplate('t', 1))!.compiled as unknown as CompiledTemplate;
const renderer = createMessageRenderer();
let started = performance.now();
for (const p of profiles)
  await renderer.renderMessage(compiled, 'email', 'en', { profile: p, traits: p.traits, context: {} });
const renderPerSecond = N / ((performance.now() - started) / 1000);

// End to end: outbox → consent → render → provider → delivery recorded.
const email = createSendGridEmail({ apiKey: 'k', baseUrl: server.url });
const lanes = new Map<MessageChannel, ProviderLane>([
  ['email', new ProviderLane(email, { concurrency: 64, perSecond: 1_000_000, maxQueue: 1000 })],
]);
const dispatcher = new Dispatcher({
  outbox: f.messaging.outbox,
  store: f.store,
  templates: f.messaging.templates,
  consent: f.messaging.consent,
  lanes: () => lanes,
  clock: now,
  batchSize: 500,
});
started = performance.now();
while ((await dispatcher.runOnce()) > 0);
const sendSeconds = (performance.now() - started) / 1000;
const counts = await f.messaging.outbox.counts();
if (counts.sent !== N || server.requests.length !== N)
  throw new Error(`expected ${N} sent: ${JSON.stringify(counts)}`);

console.log(`dispatch: ${N} emails (MJML compiled at save, Liquid per recipient), SendGrid API on loopback`);
console.log(`  rendering only:          ${renderPerSecond.toFixed(0)} messages/s`);
console.log(`  end to end from outbox:  ${(N / sendSeconds).toFixed(0)} messages/s (goal ≥ 1,000/s)`);
await server.close();
await f.close();
