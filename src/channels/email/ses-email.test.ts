import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signSigV4 } from '../http/aws-sigv4.js';
import { emailMessage, FIXED_NOW, fixedClock, sampleEmail } from '../testing/fixtures.js';
import { startLocalServer } from '../testing/local-server.js';
import { createSesEmail } from './ses-email.js';

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};

test('SES v2 SendEmail: path, SigV4 Authorization, Simple content with headers', async () => {
  const server = await startLocalServer(() => ({ status: 200, body: { MessageId: '0102018c-ses-id' } }));
  const ses = createSesEmail({ region: 'eu-west-1', credentials, baseUrl: server.url, now: fixedClock });
  try {
    assert.deepEqual(await ses.send(emailMessage()), {
      status: 'accepted',
      providerMessageId: '0102018c-ses-id',
    });
    const req = server.requests[0];
    assert.ok(req);
    assert.equal(req.method, 'POST');
    assert.equal(req.path, '/v2/email/outbound-emails');
    assert.equal(req.headers['content-type'], 'application/json');
    assert.equal(req.headers['x-amz-date'], '20240101T000000Z');
    const auth = req.headers.authorization ?? '';
    assert.match(
      auth,
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240101\/eu-west-1\/ses\/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    // The request as received (host, body) is exactly what was signed.
    const again = signSigV4(
      {
        method: 'POST',
        url: `http://${req.headers.host}/v2/email/outbound-emails`,
        headers: { 'content-type': 'application/json' },
        body: req.text,
      },
      { credentials, region: 'eu-west-1', service: 'ses', now: FIXED_NOW },
    );
    assert.equal(auth, again.authorization);
    const body = JSON.parse(req.text);
    assert.equal(body.FromEmailAddress, '=?UTF-8?B?xZ7EsWsgTWHEn2F6YQ==?= <news@shop.example>');
    assert.deepEqual(body.Destination, { ToAddresses: ['ayse@example.com'] });
    assert.deepEqual(body.ReplyToAddresses, ['help@shop.example']);
    assert.deepEqual(body.Content.Simple.Subject, { Data: sampleEmail.subject, Charset: 'UTF-8' });
    assert.equal(body.Content.Simple.Body.Html.Data, sampleEmail.html);
    assert.equal(body.Content.Simple.Body.Text.Data, sampleEmail.text);
    assert.deepEqual(body.Content.Simple.Headers, [
      { Name: 'List-Unsubscribe', Value: '<https://shop.example/u/abc>, <mailto:unsub@shop.example>' },
      { Name: 'List-Unsubscribe-Post', Value: 'List-Unsubscribe=One-Click' },
    ]);
  } finally {
    await server.close();
  }
});

test('SES errors: throttling retryable with delay, 5xx retryable, MessageRejected permanent', async () => {
  const server = await startLocalServer(() => ({ status: 500 }));
  const ses = createSesEmail({ region: 'eu-west-1', credentials, baseUrl: server.url, now: fixedClock });
  try {
    server.respond(() => ({
      status: 429,
      headers: { 'retry-after': '3', 'x-amzn-errortype': 'TooManyRequestsException' },
      body: { message: 'Too many requests' },
    }));
    assert.deepEqual(await ses.send(emailMessage()), {
      status: 'failed',
      retryable: true,
      reason: 'ses 429: TooManyRequestsException Too many requests',
      retryAfterMs: 3000,
      httpStatus: 429,
    });
    server.respond(() => ({ status: 503, body: { message: 'busy' } }));
    const busy = await ses.send(emailMessage());
    assert.ok(busy.status === 'failed' && busy.retryable);
    server.respond(() => ({
      status: 400,
      headers: { 'x-amzn-errortype': 'MessageRejected' },
      body: { message: 'Email address is not verified.' },
    }));
    const rejected = await ses.send(emailMessage());
    assert.ok(
      rejected.status === 'failed' && !rejected.retryable && rejected.reason.includes('MessageRejected'),
    );
  } finally {
    await server.close();
  }
});
