import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toE164 } from './phone.js';
import { normalizeTraits } from './traits.js';

test('phones become E.164', () => {
  assert.equal(toE164('+1 (415) 555-0100'), '+14155550100');
  assert.equal(toE164('0532 123 45 67', 'TR'), '+905321234567');
  assert.equal(toE164('0049 30 1234567'), '+49301234567');
  assert.equal(toE164('030 1234567', 'de'), '+49301234567');
  assert.equal(toE164('5321234567'), undefined, 'a national number without a country is ambiguous');
  assert.equal(toE164('call me'), undefined);
  assert.equal(toE164('+0123'), undefined);
});

test('well-known traits are parsed into canonical form', () => {
  assert.deepEqual(
    normalizeTraits({
      email: '  Ada@Example.COM ',
      first_name: 'Ada',
      last_name: 'Lovelace',
      phone: '0532 123 45 67',
      address: { country: 'tr', city: 'İzmir' },
      birthday: '1990-12-10T00:00:00Z',
      language: 'tr_TR',
      timezone: 'Europe/Istanbul',
    }),
    {
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      phone: '+905321234567',
      address: { country: 'tr', city: 'İzmir' },
      country: 'TR',
      city: 'İzmir',
      birthday: '1990-12-10',
      locale: 'tr-TR',
      timezone: 'Europe/Istanbul',
    },
  );
});

test('name is split when first and last name are absent; unparseable values are kept as sent', () => {
  assert.deepEqual(normalizeTraits({ name: 'Grace Brewster Hopper' }), {
    name: 'Grace Brewster Hopper',
    firstName: 'Grace',
    lastName: 'Brewster Hopper',
  });
  assert.deepEqual(normalizeTraits({ email: 'not-an-email', phone: 'none', birthday: 'soon' }), {
    email: 'not-an-email',
    phone: 'none',
    birthday: 'soon',
  });
});
