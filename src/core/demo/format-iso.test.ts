import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '../random.js';
import { civilFromDays, createIsoFormatter, daysFromCivil, formatDay, formatIso } from './format-iso.js';

test('formatIso agrees with Date#toISOString across four centuries and leap days', () => {
  const rng = createRandom(3);
  const samples = [0, -1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -2_208_988_800_000];
  for (let i = 0; i < 2000; i++) samples.push(Math.floor((rng.next() - 0.3) * 8e12));
  for (const ms of samples) assert.equal(formatIso(ms), new Date(ms).toISOString(), String(ms));
});

test('daysFromCivil inverts civilFromDays', () => {
  for (let d = -800_000; d < 800_000; d += 997) {
    const { year, month, day } = civilFromDays(d);
    assert.equal(daysFromCivil(year, month, day), d);
  }
  assert.equal(formatDay(daysFromCivil(2024, 2, 29)), '2024-02-29');
});

test('createIsoFormatter caches the day and still agrees with Date', () => {
  const format = createIsoFormatter();
  const rng = createRandom(5);
  let t = 1_700_000_000_000;
  for (let i = 0; i < 3000; i++) {
    t += Math.floor(rng.next() * 7_200_000) - (i % 50 === 0 ? 86_400_000 : 0);
    assert.equal(format(t), new Date(t).toISOString());
  }
});
