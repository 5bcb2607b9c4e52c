import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sendGridEventsSchema, sendGridMessageId, sendGridOutcomes } from './sendgrid-events.js';

// Shaped as in SendGrid's Event Webhook reference: one of each delivery event, and engagement ones.
const at = 1513299569;
const common = {
  email: 'ada@example.com',
  timestamp: at,
  'smtp-id': '<14c5d75ce93.dfd.64b469@ismtpd-555>',
  sg_event_id: 'sg_event_id',
  sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
  orkestra_key: 'journey:welcome:ada',
  category: ['cat facts'],
};
const events = [
  { ...common, event: 'processed' },
  { ...common, event: 'deferred', response: '400 try again later', attempt: '5' },
  { ...common, event: 'delivered', response: '250 OK' },
  { ...common, event: 'open', useragent: 'Mozilla/4.0', ip: '255.255.255.255', sg_machine_open: false },
  { ...common, event: 'click', url: 'http://www.sendgrid.com/' },
  { ...common, event: 'bounce', type: 'bounce', status: '5.0.0', reason: '500 unknown recipient' },
  { ...common, event: 'bounce', type: 'blocked', status: '5.0.0', reason: '550 blocked for spam' },
  { ...common, event: 'dropped', reason: 'Bounced Address', status: '5.0.0' },
  { ...common, event: 'spamreport' },
  { ...common, event: 'unsubscribe' },
  { ...common, event: 'group_unsubscribe', asm_group_id: 10 },
];

test('SendGrid events: delivery outcomes kept, engagement and in-flight ones left to Orkestra', () => {
  const parsed = sendGridEventsSchema.parse(events);
  const outcomes = sendGridOutcomes(parsed);
  const base = {
    provider: 'sendgrid',
    channel: 'email',
    providerMessageId: '14c5d75ce93',
    recipients: ['ada@example.com'],
    timestamp: '2017-12-15T00:59:29.000Z',
  };
  assert.deepEqual(outcomes, [
    { ...base, kind: 'delivered', permanent: false, detail: '250 OK' },
    { ...base, kind: 'bounced', permanent: true, detail: '5.0.0 500 unknown recipient' },
    { ...base, kind: 'bounced', permanent: false, detail: '5.0.0 550 blocked for spam' },
    { ...base, kind: 'failed', permanent: true, detail: '5.0.0 Bounced Address' },
    { ...base, kind: 'complained', permanent: true },
  ]);
  // Fields Orkestra does not read are kept, not refused.
  assert.deepEqual(parsed[4]!.url, 'http://www.sendgrid.com/');
});

test('SendGrid events: the message id is X-Message-Id, else the idempotency key sent as a custom arg', () => {
  assert.equal(
    sendGridMessageId({ sg_message_id: 'abc123.filterdrecv-p3mdw1-756b745b58-kmzbl-18-5F5FC76C-9.0' }),
    'abc123',
  );
  assert.equal(sendGridMessageId({ orkestra_key: 'k1' }), 'k1');
  assert.equal(sendGridMessageId({}), '');
});

test('SendGrid events: a body that is not an array of events is refused with the field', () => {
  const empty = sendGridEventsSchema.safeParse([]);
  assert.equal(empty.success, false);
  const noEmail = sendGridEventsSchema.safeParse([{ event: 'delivered' }]);
  assert.equal(noEmail.success, false);
  assert.deepEqual(noEmail.error?.issues[0]?.path, [0, 'email']);
});
