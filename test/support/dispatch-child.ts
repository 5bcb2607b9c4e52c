// A dispatcher in a child process, for the kill test: sends everything in the outbox of the data
// directory given as argv[2] through a Twilio-compatible server at argv[3], then exits.
import { createTwilioSms } from '../../src/channels/sms/twilio-sms.js';
import type { EpochMs } from '../../src/core/brand.js';
import type { MessageChannel } from '../../src/core/channels/variants.js';
import { Dispatcher } from '../../src/engine/dispatch/dispatcher.js';
import { ProviderLane } from '../../src/engine/dispatch/provider-lane.js';
import { openDispatchFixture } from '../../src/engine/dispatch/testing/dispatch-fixture.js';

const [dir, url] = process.argv.slice(2) as [string, string];
const f = await openDispatchFixture({ dir });
const sms = createTwilioSms({ accountSid: 'AC1', authToken: 't', from: '+15005550006', baseUrl: url });
const lanes = new Map<MessageChannel, ProviderLane>([
  ['sms', new ProviderLane(sms, { concurrency: 8, perSecond: 100_000 })],
]);
const dispatcher = new Dispatcher({
  outbox: f.messaging.outbox,
  store: f.store,
  templates: f.messaging.templates,
  consent: f.messaging.consent,
  lanes: () => lanes,
  clock: () => Date.now() as EpochMs,
  pollMs: 5,
});
await dispatcher.start();
for (;;) {
  const counts = await f.messaging.outbox.counts();
  if (!counts.pending && !counts.sending) break;
  await new Promise((resolve) => setTimeout(resolve, 10));
}
await dispatcher.stop();
await f.close({ keep: true });
process.exit(0);
