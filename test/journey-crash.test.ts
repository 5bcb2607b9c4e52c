import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { build } from 'esbuild';
import { asEpochMs, type EpochMs } from '../src/core/brand.js';
import { defineJourney } from '../src/core/journeys/fixtures.js';
import type { Journey } from '../src/core/journeys/definition.js';
import { createRun, type RunInput, type RunState } from '../src/core/journeys/run-state.js';
import { SEND_POLICY_KEY } from '../src/core/journeys/send-policy.js';
import { stepRun } from '../src/core/journeys/step-machine.js';
import type { InboundMessage } from '../src/core/messages/inbound-message.js';
import type { Profile } from '../src/core/profiles/profile.js';
import { createRandom, randomInt } from '../src/core/random.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';

// ARCHITECTURE.md invariant 2 for journeys: an engine process is SIGKILLed at random moments (every
// 100–300 ms, at least 200 times) while runs with delays, waits, splits, profile updates and sends are
// under way. Afterwards every run has ended, its stored state is what the pure step machine makes of
// the inputs it took (replayed from scratch), each event reached a run at most once, and no
// idempotency key was planned twice.

const KILLS = Number(process.env.CRASH_KILLS ?? 200);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const NO_QUIET = { default: { start: '00:00', end: '00:00' }, channels: {} };

const CRASH_JOURNEY = defineJourney({
  id: 'crash',
  name: 'Crash',
  trigger: { type: 'event', event: 'Crash Start' },
  runKey: { property: 'k' },
  reEntry: { mode: 'after_previous_ends', maxConcurrent: 100 },
  nodes: [
    { id: 'start', type: 'entry' },
    {
      id: 'split',
      type: 'random_split',
      variants: [
        { key: 'a', weight: 1 },
        { key: 'b', weight: 1 },
      ],
    },
    { id: 'pause', type: 'delay', delay: { kind: 'date', source: 'trigger', path: 'at' } },
    { id: 'first', type: 'send', template: 'a1', channel: 'log' },
    {
      id: 'flagged',
      type: 'condition',
      test: { trigger: [{ property: 'flag', op: 'equals', value: true }] },
    },
    { id: 'second', type: 'send', template: 'a2', channel: 'log' },
    { id: 'count', type: 'update_profile', increment: { crashVisits: 1 } },
    {
      id: 'poke',
      type: 'wait_for_event',
      event: 'Crash Poke',
      matchRunKey: true,
      timeout: { amount: 1, unit: 'minutes' },
    },
    { id: 'poked', type: 'send', template: 'b1', channel: 'log' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'start', to: 'split' },
    { from: 'split', to: 'pause', branch: 'a' },
    { from: 'split', to: 'count', branch: 'b' },
    { from: 'pause', to: 'first' },
    { from: 'first', to: 'flagged' },
    { from: 'flagged', to: 'second', branch: 'yes' },
    { from: 'flagged', to: 'done', branch: 'no' },
    { from: 'second', to: 'done' },
    { from: 'count', to: 'poke' },
    { from: 'poke', to: 'poked', branch: 'event' },
    { from: 'poke', to: 'done', branch: 'timeout' },
    { from: 'poked', to: 'done' },
  ],
});

let seq = 0;
const track = (userId: string, event: string, properties: Record<string, unknown>): InboundMessage => {
  const iso = new Date().toISOString();
  return {
    type: 'track',
    userId,
    event,
    properties,
    messageId: `crash-${++seq}`,
    timestamp: iso,
    receivedAt: iso,
  };
};

/** Replays a run's recorded inputs from a fresh run through the pure step machine. */
function replay(
  journey: Journey,
  stored: RunState,
  inputs: { at: number; input: RunInput }[],
  profile: Profile,
) {
  const first = inputs[0]!;
  let run = createRun(journey, {
    runId: stored.runId,
    profileId: stored.profileId,
    now: asEpochMs(first.at),
    ...(stored.runKey !== undefined ? { runKey: stored.runKey } : {}),
  });
  const keys: string[] = [];
  for (const { at, input } of inputs) {
    const env = {
      journey,
      profile,
      now: asEpochMs(at),
      policy: { capRules: [], quietHours: NO_QUIET },
      recentSends: [],
    };
    const result = stepRun(run, input, env);
    run = result.run;
    for (const e of result.effects) if (e.type === 'plan_send') keys.push(e.idempotencyKey);
  }
  return { run, keys };
}

test(
  `journey runs survive ${KILLS} SIGKILLs: every run ends where the step machine says, no key twice`,
  { timeout: 180_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orkestra-journey-crash-'));
    const cacheDir = join(REPO, 'node_modules', '.cache', 'orkestra-tests');
    mkdirSync(cacheDir, { recursive: true });
    const bundle = join(cacheDir, 'journey-engine-child.mjs');
    await build({
      entryPoints: [join(REPO, 'test', 'support', 'journey-engine-child.ts')],
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: bundle,
      external: ['better-sqlite3'],
      logLevel: 'silent',
    });
    const path = join(dir, 'orkestra.db');
    const store = openSqliteStore({ path, synchronous: 'full' });
    let child: ChildProcess | undefined;
    const startChild = async (): Promise<void> => {
      const c = spawn(process.execPath, [bundle, path], { stdio: ['ignore', 'pipe', 'inherit'] });
      child = c;
      await new Promise<void>((resolve, reject) => {
        c.stdout?.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
        c.once('exit', (code) => reject(new Error(`the engine exited (${code}) before it was ready`)));
      });
    };
    const killChild = async (): Promise<void> => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await gone;
    };
    try {
      const now = asEpochMs(Date.now());
      await store.publishJourney(CRASH_JOURNEY, { migrate: false, now });
      await store.setSetting(SEND_POLICY_KEY, JSON.stringify({ capRules: [], quietHours: NO_QUIET }));
      await store.bumpJourneysRevision();
      const rng = createRandom(4);
      const keys: { user: string; k: string }[] = [];
      const append = async (messages: InboundMessage[]): Promise<void> => {
        const at = asEpochMs(Date.now());
        await store.appendToInbox(
          messages.map((message) => ({ kind: 'message', message })),
          { now: at, dedupeSince: asEpochMs(0) },
        );
      };
      let kills = 0;
      const started = Date.now();
      while (kills < KILLS) {
        const load: InboundMessage[] = [];
        for (let i = 0; i < 4; i++) {
          const key = { user: `u${randomInt(rng, 0, 29)}`, k: `k${keys.length}` };
          keys.push(key);
          const at = new Date(Date.now() + randomInt(rng, 0, 1500)).toISOString();
          load.push(track(key.user, 'Crash Start', { k: key.k, at, flag: rng.next() < 0.5 }));
        }
        const poked = keys[randomInt(rng, 0, keys.length - 1)]!;
        load.push(track(poked.user, 'Crash Poke', { k: poked.k }));
        await append(load);
        await startChild();
        await sleep(randomInt(rng, 100, 300));
        await killChild();
        kills++;
      }
      const killedFor = Date.now() - started;
      await startChild();
      // Let the delays run out, then poke every run (a run not at its wait yet ignores a poke).
      const deadline = Date.now() + 40_000;
      const db = new Database(path, { readonly: true });
      const openRuns = (): number =>
        db.prepare(`SELECT count(*) FROM journey_runs WHERE status != 'ended'`).pluck().get() as number;
      await sleep(1600);
      while (Date.now() < deadline && (openRuns() > 0 || (await store.inboxDepth()) > 0)) {
        await append(keys.map((key) => track(key.user, 'Crash Poke', { k: key.k })));
        await sleep(300);
      }
      await killChild();
      assert.equal(openRuns(), 0, 'every run ended');
      assert.equal(await store.inboxDepth(), 0);
      const runs = (db.prepare(`SELECT state FROM journey_runs`).pluck().all() as string[]).map(
        (s) => JSON.parse(s) as RunState,
      );
      assert.equal(runs.length, keys.length, 'one run per key');
      const profiles = await store.loadProfiles(new Set(runs.map((r) => r.profileId)));
      const sendKeys = db
        .prepare(`SELECT idempotency_key FROM journey_sends WHERE run_id = ? ORDER BY id`)
        .pluck();
      let planned = 0;
      for (const stored of runs) {
        const inputs = (await store.runInputs(stored.runId)) as { at: EpochMs; input: RunInput }[];
        const messageIds = inputs.flatMap((i) => (i.input.kind === 'event' ? [i.input.event.messageId] : []));
        assert.equal(new Set(messageIds).size, messageIds.length, `${stored.runId} took an event twice`);
        const { run, keys: replayed } = replay(
          CRASH_JOURNEY,
          stored,
          inputs,
          profiles.get(stored.profileId)!,
        );
        assert.deepEqual(run, stored, `${stored.runId} is where the step machine says`);
        assert.equal(stored.nodeId, 'done');
        assert.deepEqual(sendKeys.all(stored.runId), replayed, `${stored.runId} planned exactly its sends`);
        planned += replayed.length;
      }
      const duplicates = db
        .prepare(`SELECT count(*) - count(DISTINCT idempotency_key) FROM journey_sends`)
        .pluck()
        .get();
      assert.equal(duplicates, 0);
      db.close();
      console.log(
        `${kills} kills in ${(killedFor / 1000).toFixed(1)} s; ${runs.length} runs, ${planned} sends`,
      );
    } finally {
      await killChild();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
