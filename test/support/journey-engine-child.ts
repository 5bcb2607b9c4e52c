/**
 * A bare journey engine for crash tests: opens the store named on the command line and runs a
 * `ProfileEngine` with the real clock, polling the inbox (the test appends to it from its own
 * process). Bundled once by the test with esbuild, so each of its hundreds of starts is quick.
 */
import type { EpochMs } from '../../src/core/brand.js';
import { createProfileId } from '../../src/engine/ids.js';
import { ProfileEngine } from '../../src/engine/profile-engine.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';

const store = openSqliteStore({ path: process.argv[2] ?? '', synchronous: 'full' });
const engine = new ProfileEngine({
  store,
  clock: () => Date.now() as EpochMs,
  mergeOnEmail: true,
  newProfileId: () => createProfileId(),
  pollMs: 20,
  lingerMs: 0,
  batchSize: 50,
});
void engine.start().then(() => process.stdout.write('ready\n'));
// The engine's own timers are unref'd (they must not hold a server open); this process lives for it.
setInterval(() => undefined, 1 << 30);
