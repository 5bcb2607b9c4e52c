import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startTestRuntime } from './support/test-runtime.js';

test('an unexpected failure answers 500 with a JSON body and is written to stderr, logger or not', async () => {
  const rt = await startTestRuntime();
  const printed: string[] = [];
  const original = console.error;
  console.error = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  try {
    rt.store.searchProfiles = () => Promise.reject(new Error('disk on fire'));
    const res = await rt.admin('/api/profiles?q=x');
    assert.equal(res.status, 500);
    assert.deepEqual(res.body, { error: { code: 'internal', message: 'internal error' } });
    assert.equal(printed.length, 1, printed.join('\n'));
    assert.match(printed[0]!, /^orkestra: GET \/api\/profiles\?q=x failed: Error: disk on fire/);
  } finally {
    console.error = original;
    await rt.close();
  }
});
