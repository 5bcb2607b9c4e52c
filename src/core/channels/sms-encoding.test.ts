import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gsmSeptets, isGsm7, smsInfo } from './sms-encoding.js';

test('Turkish: Ç Ö Ü ö ü are in the GSM-7 basic table; ç ğ ı İ ş are not (3GPP TS 23.038 §6.2.1)', () => {
  for (const ch of ['Ç', 'Ö', 'Ü', 'ö', 'ü']) assert.equal(gsmSeptets(ch), 1, ch);
  for (const ch of ['ç', 'ğ', 'Ğ', 'ı', 'İ', 'ş', 'Ş']) assert.equal(gsmSeptets(ch), 0, ch);
  assert.ok(isGsm7('ÇÖÜ öü'));
  assert.equal(smsInfo('Merhaba Ömer, Üsküdar').encoding, 'GSM-7');
  const info = smsInfo('Günaydın Çağla');
  assert.equal(info.encoding, 'UCS-2');
  assert.deepEqual(info.nonGsmCharacters, ['ı', 'ğ']);
  assert.equal(smsInfo('ç').encoding, 'UCS-2', 'lowercase c-cedilla is not in the 3GPP table');
});

test('GSM-7 single part holds 160 septets; concatenated parts hold 153', () => {
  assert.deepEqual(
    [smsInfo('a'.repeat(160)).segments, smsInfo('a'.repeat(161)).segments, smsInfo('a'.repeat(306)).segments],
    [1, 2, 2],
  );
  assert.equal(smsInfo('a'.repeat(307)).segments, 3);
  const one = smsInfo('a'.repeat(150));
  assert.deepEqual([one.perSegment, one.remaining], [160, 10]);
});

test('extension characters (€ { } [ ] ~ | ^ \\) count as two septets', () => {
  assert.equal(smsInfo('€').units, 2);
  assert.equal(smsInfo('{x}').units, 5);
  assert.equal(smsInfo('€'.repeat(80)).segments, 1, '160 septets');
  assert.equal(smsInfo('€'.repeat(81)).segments, 2);
  // 152 plain + one escaped char: the pair does not fit in 153 - 152 = 1 septet, so it moves whole.
  const info = smsInfo('a'.repeat(152) + '€' + 'a'.repeat(10));
  assert.equal(info.units, 164);
  assert.equal(info.segments, 2);
  assert.equal(info.remaining, 153 - 12);
});

test('UCS-2 counts UTF-16 code units: 70 single, 67 per part; emoji take two and are not split', () => {
  assert.equal(smsInfo('ş'.repeat(70)).segments, 1);
  assert.equal(smsInfo('ş'.repeat(71)).segments, 2);
  const emoji = smsInfo('😀');
  assert.deepEqual([emoji.encoding, emoji.units], ['UCS-2', 2]);
  assert.equal(smsInfo('😀'.repeat(35)).segments, 1, '70 code units');
  // 66 units then an emoji: the pair cannot straddle the 67-unit boundary.
  const info = smsInfo('ş'.repeat(66) + '😀' + 'ş');
  assert.equal(info.units, 69);
  assert.equal(info.segments, 1);
  const split = smsInfo('ş'.repeat(66) + '😀' + 'ş'.repeat(5));
  assert.equal(split.segments, 2);
  assert.equal(split.remaining, 67 - 7);
});

test('the empty text has no segments', () => {
  assert.equal(smsInfo('').segments, 0);
});
