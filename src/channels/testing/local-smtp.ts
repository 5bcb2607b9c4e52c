import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** A message as the local SMTP server received it. */
export interface ReceivedMail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/**
 * A real SMTP server (the `smtp-server` package) on loopback for tests: records every message it
 * accepts; `reject` answers RCPT TO with a reply code for some recipients.
 * @example const smtp = await startLocalSmtp(); ... smtp.received[0].raw
 */
export async function startLocalSmtp(reject?: (to: string) => number | undefined) {
  const received: ReceivedMail[] = [];
  let connections = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onConnect(_s, cb) {
      connections++;
      cb();
    },
    onRcptTo(address, _s, cb) {
      const code = reject?.(address.address);
      if (code === undefined) return cb();
      const e = Object.assign(new Error(code >= 500 ? 'mailbox unavailable' : 'try later'), {
        responseCode: code,
      });
      cb(e);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  // A client killed mid-session resets its connection: that is the client's business, not an error here.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
