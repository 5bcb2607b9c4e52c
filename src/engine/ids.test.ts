import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProfileId } from './ids.js';

test('profile ids sort by creation time, and do not repeat within a millisecond', () => {
  const at = Date.UTC(2026, 10, 23, 12);
  const ids = Array.from({ length: 100_000 }, (_, i) => createProfileId(at + Math.floor(i / 1000)));
  for (const id of ids) assert.match(id, /^prf_[0-9a-hjkmnp-tv-z]{20}$/);
  assert.equal(new Set(ids).size, ids.length);
  // The first 14 characters are the time: later milliseconds sort after.
  assert.ok(ids.every((id, i) => i === 0 || id.slice(0, 14) >= ids[i - 1]!.slice(0, 14)));
  assert.equal(createProfileId(0).slice(0, 14), 'prf_0000000000');
  // Crockford base32 of the milliseconds, by another route: JavaScript's base 32, digit by digit.
  const crockford = '0123456789abcdefghjkmnpqrstvwxyz';
  const digits = [...at.toString(32).padStart(10, '0')].map((d) => crockford[parseInt(d, 32)]).join('');
  assert.equal(createProfileId(at).slice(0, 14), `prf_${digits}`);
});
