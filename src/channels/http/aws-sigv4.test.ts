import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signSigV4, uriEncode } from './aws-sigv4.js';

test('matches the AWS documentation example (IAM ListUsers, 2015-08-30T12:36:00Z)', () => {
  // The worked example of the AWS General Reference ("Signature Version 4 signing process"): the
  // expected signature below is the one the documentation prints for these inputs.
  const headers = signSigV4(
    {
      method: 'GET',
      url: 'https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8' },
      body: '',
    },
    {
      credentials: {
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      },
      region: 'us-east-1',
      service: 'iam',
      now: Date.parse('2015-08-30T12:36:00Z'),
    },
  );
  assert.equal(
    headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, ' +
      'SignedHeaders=content-type;host;x-amz-date, ' +
      'Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
  );
  assert.equal(headers['x-amz-date'], '20150830T123600Z');
});

test('session tokens are signed; UriEncode escapes RFC 3986 reserved characters', () => {
  const headers = signSigV4(
    {
      method: 'POST',
      url: 'https://email.eu-west-1.amazonaws.com/v2/email/outbound-emails',
      headers: {},
      body: '{}',
    },
    {
      credentials: { accessKeyId: 'AK', secretAccessKey: 'SK', sessionToken: 'TOKEN' },
      region: 'eu-west-1',
      service: 'ses',
      now: 0,
    },
  );
  assert.match(headers.authorization ?? '', /SignedHeaders=host;x-amz-date;x-amz-security-token,/);
  assert.equal(uriEncode("a b/c*!'~"), 'a%20b%2Fc%2A%21%27~');
});
