import assert from 'node:assert/strict';
import { test } from 'node:test';
import { asEpochMs } from '../brand.js';
import { chooseChannel } from './channels.js';
import { sampleProfile } from './fixtures.js';

const withPush = {
  ...sampleProfile(),
  pushTokens: [{ token: 't', platform: 'ios' as const, updatedAt: asEpochMs(0) }],
};

test('a named channel if reachable; an ordered list takes the first reachable', () => {
  assert.equal(chooseChannel('sms', sampleProfile()), 'sms');
  assert.equal(chooseChannel('push', sampleProfile()), undefined);
  assert.equal(chooseChannel(['push', 'sms', 'email'], sampleProfile()), 'sms');
  assert.equal(
    chooseChannel(['push', 'sms'], { ...sampleProfile(), subscriptions: { sms: false } }),
    undefined,
  );
});

test('best prefers push for app users, else email', () => {
  assert.equal(chooseChannel('best', sampleProfile()), 'email');
  assert.equal(chooseChannel('best', withPush), 'email');
  assert.equal(chooseChannel('best', { ...withPush, lastChannel: 'ios' }), 'push');
  assert.equal(
    chooseChannel('best', { ...sampleProfile({ email: null }), subscriptions: { sms: false } }),
    'whatsapp',
  );
});
