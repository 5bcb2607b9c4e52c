// A dispatcher in a child process, for the kill test: sends everything in the outbox of the data
// directory given as argv[2] through the provider argv[3] (`twilio`, `ses` or `smtp`) at argv[4] (a
// base URL, or an SMTP port), then exits.
import type { ChannelProvider } from '../../src/channels/channel.js';
import { createSesEmail } from '../../src/channels/email/ses-email.js';
import { createSmtpEmail } from '../../src/channels/email/smtp-email.js';
import { createTwilioSms } from '../../src/channels/sms/twilio-sms.js';
import type { EpochMs } from '../../src/core/brand.js';
import type { MessageChannel } from '../../src/core/channels/variants.js';
import { Dispatcher } from '../../src/engine/dispatch/dispatcher.js';
import { ProviderLane } from '../../src/engine/dispatch/provider-lane.js';
import { openDispatchFixture } from '../../src/engine/dispatch/testing/dispatch-fixture.js';

const [dir, kind, target] = process.argv.slice(2) as [string, 'twilio' | 'ses' | 'smtp', string];
const f = await openDispatchFixture({ dir });
const provider: ChannelProvider =
  kind === 'twilio'
    ? createTwilioSms({ accountSid: 'AC1', authToken: 't', from: '+15005550006', baseUrl: target })
    : kind === 'ses'
      ? createSesEmail({
          region: 'eu-west-1',
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
          baseUrl: target,
        })
      : createSmtpEmail({ host: '127.0.0.1', port: Number(target), ignoreTLS: true });
const lanes = new Map<MessageChannel, ProviderLane>([
  [provider.channel, new ProviderLane(provider, { concurrency: 8, perSecond: 100_000 })],
]);
const dispatcher = new Dispatcher({
  ...f.ports,
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
await provider.close?.();
await f.close({ keep: true });
process.exit(0);
