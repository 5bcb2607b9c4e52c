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
import { writeResults } from './support/report.js';

const flag = process.argv.indexOf('--messages');
const N = Number(flag > 0 ? process.argv[flag + 1] : (process.env.BENCH_MESSAGES ?? 5000));
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
  ...f.ports,
  lanes: () => lanes,
  clock: now,
  batchSize: 500,
});
// The dispatcher's own loop, as in production: no wait between passes, full lanes wake it.
started = performance.now();
await dispatcher.start();
const settled = async () => {
  const c = await f.messaging.outbox.counts();
  return (c.sent ?? 0) + (c.dead ?? 0) + (c.skipped ?? 0);
};
while ((await settled()) < N) await new Promise((resolve) => setTimeout(resolve, 50));
const sendSeconds = (performance.now() - started) / 1000;
await dispatcher.stop();
const counts = await f.messaging.outbox.counts();
if (counts.sent !== N || server.requests.length !== N)
  throw new Error(`expected ${N} sent: ${JSON.stringify(counts)}`);

console.log(`dispatch: ${N} emails (MJML compiled at save, Liquid per recipient), SendGrid API on loopback`);
console.log(`  rendering only:          ${renderPerSecond.toFixed(0)} messages/s`);
console.log(`  end to end from outbox:  ${(N / sendSeconds).toFixed(0)} messages/s (goal ≥ 1,000/s)`);
writeResults('dispatch', {
  messages: N,
  renderPerSecond,
  endToEndPerSecond: N / sendSeconds,
  goals: [
    {
      metric: 'dispatch: rendered and sent end to end',
      value: N / sendSeconds,
      unit: 'messages/s',
      goal: '≥ 1,000/s',
      met: N / sendSeconds >= 1000,
    },
    {
      metric: 'dispatch: rendering only',
      value: renderPerSecond,
      unit: 'messages/s',
      goal: 'context',
      met: true,
    },
  ],
});
await server.close();
await f.close();
