import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsKeyword } from './sms-keywords.js';

test('STOP, START and HELP and their Turkish equivalents, in any case', () => {
  for (const stop of [
    'STOP',
    'stop',
    ' Stop ',
    'DUR',
    'dur',
    'IPTAL',
    'İPTAL',
    'iptal',
    'İptal',
    'unsubscribe',
  ])
    assert.equal(smsKeyword(stop), 'stop', stop);
  for (const start of ['START', 'BASLA', 'BAŞLA', 'başla', 'Başla', 'UNSTOP'])
    assert.equal(smsKeyword(start), 'start', start);
  for (const help of ['HELP', 'YARDIM', 'yardım', 'Yardım']) assert.equal(smsKeyword(help), 'help', help);
  for (const other of ['please stop sending', 'DURUM', 'hello', ''])
    assert.equal(smsKeyword(other), undefined, other);
});
