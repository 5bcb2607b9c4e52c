import assert from 'node:assert/strict';
import { test } from 'node:test';
import { outcomeEventName } from './provider-outcome.js';
import { parseSesNotification, snsStringToSign } from './ses-notification.js';
import { parseTwilioStatus } from './twilio-status.js';

// Shapes from docs.aws.amazon.com/ses/latest/dg/notification-examples.html.
const mail = {
  timestamp: '2016-01-27T14:59:38.237Z',
  messageId: '0000014644fe5ef6-1a',
  destination: ['jane@example.com'],
};

test('SES bounces, complaints and deliveries become outcomes; only Permanent bounces are permanent', () => {
  const bounce = parseSesNotification({
    notificationType: 'Bounce',
    mail,
    bounce: {
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [
        { emailAddress: 'jane@example.com', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
      ],
      timestamp: '2016-01-27T14:59:38.237Z',
    },
  });
  assert.ok(bounce.ok && bounce.value);
  assert.equal(bounce.value.kind, 'bounced');
  assert.equal(bounce.value.permanent, true);
  assert.deepEqual(bounce.value.recipients, ['jane@example.com']);
  assert.equal(bounce.value.detail, 'Permanent: General: smtp; 550 5.1.1 user unknown');
  const soft = parseSesNotification({
    eventType: 'Bounce',
    mail,
    bounce: { bounceType: 'Transient', bouncedRecipients: [{ emailAddress: 'jane@example.com' }] },
  });
  assert.ok(soft.ok && soft.value && !soft.value.permanent);
  const complaint = parseSesNotification({
    notificationType: 'Complaint',
    mail,
    complaint: {
      complainedRecipients: [{ emailAddress: 'jane@example.com' }],
      complaintFeedbackType: 'abuse',
    },
  });
  assert.ok(complaint.ok && complaint.value?.kind === 'complained');
  assert.equal(outcomeEventName(complaint.value), 'Email Marked as Spam');
  const delivery = parseSesNotification({
    notificationType: 'Delivery',
    mail,
    delivery: { recipients: ['jane@example.com'], smtpResponse: '250 ok' },
  });
  assert.ok(delivery.ok && delivery.value?.kind === 'delivered');
  assert.equal(outcomeEventName(delivery.value), 'Email Delivered');
  const send = parseSesNotification({ eventType: 'Send', mail });
  assert.ok(send.ok && send.value === undefined);
  assert.equal(parseSesNotification({ notificationType: 'Bounce' }).ok, false);
});

test('the SNS string to sign lists the fields in order, leaving absent ones out', () => {
  const base = { MessageId: 'm1', TopicArn: 'arn:t', Message: 'hi', Timestamp: '2024-01-01T00:00:00Z' };
  assert.equal(
    snsStringToSign({ ...base, Type: 'Notification' }),
    'Message\nhi\nMessageId\nm1\nTimestamp\n2024-01-01T00:00:00Z\nTopicArn\narn:t\nType\nNotification\n',
  );
  assert.match(
    snsStringToSign({ ...base, Type: 'SubscriptionConfirmation', SubscribeURL: 'https://x', Token: 'tk' }),
    /MessageId\nm1\nSubscribeURL\nhttps:\/\/x\nTimestamp\n.*\nToken\ntk\nTopicArn/,
  );
});

test('Twilio status callbacks: final states only; STOP (21610) is permanent', () => {
  const form = (s: string) => new URLSearchParams(s);
  assert.equal(parseTwilioStatus(form('MessageSid=SM1&MessageStatus=sent&To=%2B15551234567')), undefined);
  const delivered = parseTwilioStatus(form('MessageSid=SM1&MessageStatus=delivered&To=%2B15551234567'));
  assert.equal(delivered && outcomeEventName(delivered), 'SMS Delivered');
  const stop = parseTwilioStatus(
    form('MessageSid=SM2&MessageStatus=undelivered&ErrorCode=21610&To=%2B15551234567'),
  );
  assert.equal(stop && outcomeEventName(stop), 'SMS Failed');
  assert.equal(stop?.permanent, true);
  assert.equal(stop?.detail, 'undelivered: error 21610');
});
