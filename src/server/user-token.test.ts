import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userTokenFor, verifyUserToken } from './user-token.js';

test('the user token is HMAC-SHA256 of the userId in lowercase hex (RFC 4231 test case 2)', () => {
  // RFC 4231 §4.3: key "Jefe", data "what do ya want for nothing?".
  const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
  assert.equal(userTokenFor('Jefe', 'what do ya want for nothing?'), expected);
  assert.equal(verifyUserToken('Jefe', 'what do ya want for nothing?', expected), true);
});

test('a token for another user, another secret, in upper case or missing does not verify', () => {
  const token = userTokenFor('secret', 'ayse');
  assert.equal(verifyUserToken('secret', 'ayse', token), true);
  assert.equal(verifyUserToken('secret', 'mehmet', token), false);
  assert.equal(verifyUserToken('other', 'ayse', token), false);
  assert.equal(verifyUserToken('secret', 'ayse', token.toUpperCase()), false);
  assert.equal(verifyUserToken('secret', 'ayse', token.slice(1)), false);
  assert.equal(verifyUserToken('secret', 'ayse', undefined), false);
});
