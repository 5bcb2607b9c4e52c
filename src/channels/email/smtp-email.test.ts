import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import type { RenderedEmail } from '../../core/channels/rendered-message.js';
import { startLocalSmtp as startSmtp } from '../testing/local-smtp.js';
import { verifyDkim } from '../testing/verify-dkim.js';
import { createSmtpEmail, smtpFailure } from './smtp-email.js';

const content: RenderedEmail = {
  channel: 'email',
  subject: 'Sepetin seni bekliyor, Çağla',
  html: '<html><body><p>Merhaba <b>Çağla</b></p><p><a href="https://shop.example/cart">Sepete git</a></p></body></html>',
  text: 'Merhaba Çağla\n\nSepete git (https://shop.example/cart)',
  from: { address: 'news@shop.example', name: 'Şık Mağaza' },
  replyTo: { address: 'help@shop.example' },
  listUnsubscribe: { url: 'https://shop.example/u/abc?sig=1', mailto: 'unsub+abc@shop.example' },
};

test('SMTP: pooled sends arrive as multipart/alternative with RFC 8058 headers and a valid DKIM signature', async () => {
  const smtp = await startSmtp();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = createSmtpEmail({
    host: '127.0.0.1',
    port: smtp.port,
    ignoreTLS: true,
    maxConnections: 1,
    dkim: {
      domainName: 'shop.example',
      keySelector: 'ork1',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    },
  });
  try {
    const outcomes = await Promise.all(
      ['ayse@example.com', 'mehmet@example.com', 'zeynep@example.com'].map((to, i) =>
        provider.send({ idempotencyKey: `run${i}:node:email`, channel: 'email', to, content }),
      ),
    );
    for (const o of outcomes) assert.equal(o.status, 'accepted');
    assert.equal(smtp.received.length, 3);
    assert.equal(smtp.connections(), 1, 'one pooled connection carried all three');

    const first = smtp.received.find((r) => r.to[0] === 'ayse@example.com');
    assert.ok(first);
    assert.equal(first.from, 'news@shop.example');
    const mail = await simpleParser(first.raw);
    const type = mail.headers.get('content-type') as { value: string };
    assert.equal(type.value, 'multipart/alternative');
    assert.equal(mail.text?.trim(), content.text);
    assert.equal(mail.html && mail.html.includes('Merhaba <b>Çağla</b>'), true);
    assert.equal(mail.subject, content.subject);
    assert.equal(mail.from?.value[0]?.name, 'Şık Mağaza');
    assert.equal(mail.replyTo?.value[0]?.address, 'help@shop.example');
    assert.match(first.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r$/m);
    const unfolded = first.raw.replace(/\r\n[ \t]+/g, ' ');
    assert.match(
      unfolded,
      /^List-Unsubscribe: <https:\/\/shop\.example\/u\/abc\?sig=1>, <mailto:unsub\+abc@shop\.example>\r$/m,
    );
    const accepted = outcomes[0];
    assert.ok(accepted?.status === 'accepted');
    assert.equal(mail.messageId, accepted.providerMessageId);

    const dkim = verifyDkim(first.raw, publicKey);
    assert.equal(dkim.tags.get('d'), 'shop.example');
    assert.equal(dkim.tags.get('s'), 'ork1');
    assert.equal(dkim.tags.get('c'), 'relaxed/relaxed');
    assert.ok(dkim.bodyHash, 'bh= matches the relaxed body hash');
    assert.ok(dkim.signature, 'b= verifies with the public key');
    const signedHeaders = (dkim.tags.get('h') ?? '').toLowerCase().split(':');
    for (const h of ['from', 'subject', 'list-unsubscribe', 'list-unsubscribe-post'])
      assert.ok(signedHeaders.includes(h), h);

    const tampered = first.raw.replace('Merhaba <b>', 'Merhaba <i>');
    assert.equal(verifyDkim(tampered, publicKey).bodyHash, false, 'the check does detect a changed body');
  } finally {
    await provider.close?.();
    await smtp.close();
  }
});

test('SMTP: 4xx replies are retryable, 5xx permanent, a dead server retryable', async () => {
  const smtp = await startSmtp((to) =>
    to.startsWith('busy') ? 451 : to.startsWith('gone') ? 550 : undefined,
  );
  const provider = createSmtpEmail({ host: '127.0.0.1', port: smtp.port, ignoreTLS: true });
  try {
    const busy = await provider.send({
      idempotencyKey: 'a',
      channel: 'email',
      to: 'busy@example.com',
      content,
    });
    assert.ok(busy.status === 'failed' && busy.retryable, JSON.stringify(busy));
    const gone = await provider.send({
      idempotencyKey: 'b',
      channel: 'email',
      to: 'gone@example.com',
      content,
    });
    assert.ok(gone.status === 'failed' && !gone.retryable, JSON.stringify(gone));
  } finally {
    await provider.close?.();
    await smtp.close();
  }
  assert.equal(smtpFailure({ code: 'ECONNECTION', message: 'refused' }).status, 'failed');
  const refused = smtpFailure({ code: 'ECONNECTION', message: 'refused' });
  assert.ok(refused.status === 'failed' && refused.retryable);
});

test('a connection lost after the message was sent is in doubt; one refused before it is not', async (t) => {
  // A scripted SMTP server that takes the whole message and hangs up instead of answering 250.
  const server = createServer((socket) => {
    socket.write('220 hangup.test ESMTP\r\n');
    let data = false;
    let buffer = '';
    socket.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      if (data) {
        if (buffer.includes('\r\n.\r\n')) socket.destroy();
        return;
      }
      let end: number;
      while ((end = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, end).toUpperCase();
        buffer = buffer.slice(end + 2);
        if (line.startsWith('EHLO')) socket.write('250-hangup.test\r\n250 8BITMIME\r\n');
        else if (line.startsWith('DATA')) {
          data = true;
          socket.write('354 go ahead\r\n');
        } else socket.write('250 OK\r\n');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  t.after(() => server.close());
  const lost = createSmtpEmail({ host: '127.0.0.1', port, ignoreTLS: true, maxConnections: 1 });
  const outcome = await lost.send({ idempotencyKey: 'k', channel: 'email', to: 'a@example.com', content });
  await lost.close?.();
  assert.ok(outcome.status === 'failed' && outcome.retryable && outcome.inDoubt, JSON.stringify(outcome));

  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const refused = createSmtpEmail({ host: '127.0.0.1', port: closed, ignoreTLS: true });
  const never = await refused.send({ idempotencyKey: 'k', channel: 'email', to: 'a@example.com', content });
  await refused.close?.();
  assert.ok(never.status === 'failed' && never.retryable && !never.inDoubt, JSON.stringify(never));
});
