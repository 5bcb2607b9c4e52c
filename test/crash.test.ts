import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRandom, randomInt, type Random } from '../src/core/random.js';
import { cleanupStack } from './support/cleanup.js';
import { freeLoopbackPort, readHealth, ServerProcess } from './support/server-process.js';
import { assertStoredExactlyOnce, countStoredMessageIds } from './support/stored-events.js';

// Invariants 1 and 2 of ARCHITECTURE.md under fire: `orkestra serve` is SIGKILLed at random moments
// while several clients send batches and single calls; each client retries what was not answered 200,
// as an SDK does. Afterwards every acknowledged messageId is in `events` exactly once, and no
// messageId is there twice.

const SENDERS = 5;
const KILLS_WHILE_SERVING = 6;
const USERS_PER_SENDER = 20;
/** Hard stop for the senders, so a server that never comes back fails the test instead of hanging it. */
const SENDING_BUDGET_MS = 45_000;
const WRITE_KEY = 'crash-write-key';
const ADMIN_KEY = 'crash-admin-key';

/** One HTTP request a sender keeps trying until it is answered 200. */
interface Delivery {
  readonly path: '/v1/batch' | '/v1/track';
  readonly body: string;
  readonly messageIds: readonly string[];
  /** userId → anonymousId of the identify calls inside. */
  readonly identifies: readonly (readonly [string, string])[];
}

interface Ledger {
  readonly sent: Set<string>;
  readonly acked: Set<string>;
  /** userId → anonymousId, for every acknowledged identify that links the two. */
  readonly linked: Map<string, string>;
  requests: number;
  /** Requests that failed (connection refused or reset, timeout, 5xx) and were retried. */
  failedRequests: number;
  /** Deliveries still unacknowledged when the senders had to give up. */
  readonly abandoned: Delivery[];
}

/** The messages of one sender: users with a fixed anonymousId each, so identify always links the same pair. */
function createGenerator(sender: number, rng: Random): () => Delivery {
  let n = 0;
  const person = () => {
    const k = randomInt(rng, 0, USERS_PER_SENDER - 1);
    return { userId: `crash-s${sender}-u${k}`, anonymousId: `crash-s${sender}-a${k}` };
  };
  const message = (): { message: Record<string, unknown>; identify?: readonly [string, string] } => {
    const p = person();
    const messageId = `crash-${sender}-${n++}`;
    const r = rng.next();
    if (r < 0.08) {
      const traits = { email: `${p.userId}@example.com`, plan: 'pro' };
      return { message: { type: 'identify', messageId, ...p, traits }, identify: [p.userId, p.anonymousId] };
    }
    if (r < 0.4)
      return { message: { type: 'track', messageId, anonymousId: p.anonymousId, event: 'Product Viewed' } };
    if (r < 0.5) return { message: { type: 'page', messageId, anonymousId: p.anonymousId, name: 'Home' } };
    return {
      message: { type: 'track', messageId, userId: p.userId, event: 'Order Completed', properties: { n } },
    };
  };
  return () => {
    if (rng.next() < 0.3) {
      const p = person();
      const messageId = `crash-${sender}-${n++}`;
      const body = { messageId, userId: p.userId, event: 'Cart Viewed' };
      return { path: '/v1/track', body: JSON.stringify(body), messageIds: [messageId], identifies: [] };
    }
    const items = Array.from({ length: randomInt(rng, 40, 60) }, message);
    return {
      path: '/v1/batch',
      body: JSON.stringify({ batch: items.map((i) => i.message) }),
      messageIds: items.map((i) => i.message.messageId as string),
      identifies: items.flatMap((i) => (i.identify ? [i.identify] : [])),
    };
  };
}

/** Posts once: 'acked' on 200, 'retry' on anything a client should retry; throws on a refusal (a test bug). */
async function post(url: string, delivery: Delivery, patienceMs: number): Promise<'acked' | 'retry'> {
  let res: Response;
  try {
    res = await fetch(`${url}${delivery.path}`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
        'content-type': 'application/json',
      },
      body: delivery.body,
      signal: AbortSignal.timeout(patienceMs),
    });
    await res.arrayBuffer();
  } catch {
    return 'retry'; // refused, reset by the kill, or timed out: the answer is unknown
  }
  if (res.status === 200) return 'acked';
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    throw new Error(`the server refused a delivery with ${res.status}; the test's messages must be valid`);
  }
  return 'retry';
}

/** One client: sends a delivery, and retries it until it is answered 200, before making the next one. */
async function runSender(options: {
  url: string;
  next: () => Delivery;
  rng: Random;
  ledger: Ledger;
  control: { generating: boolean; deadline: number };
}): Promise<void> {
  const { url, next, rng, ledger, control } = options;
  let current: Delivery | undefined;
  while (Date.now() < control.deadline) {
    if (!current) {
      if (!control.generating) return;
      current = next();
      for (const id of current.messageIds) ledger.sent.add(id);
    }
    ledger.requests++;
    // Now and then an impatient client gives up after a few ms, often after the server has committed:
    // an answer lost without any crash, so the retry has to be deduplicated on every run.
    const patienceMs = rng.next() < 0.05 ? randomInt(rng, 1, 30) : 5_000;
    if ((await post(url, current, patienceMs)) === 'acked') {
      for (const id of current.messageIds) ledger.acked.add(id);
      for (const [userId, anonymousId] of current.identifies) ledger.linked.set(userId, anonymousId);
      current = undefined;
    } else {
      ledger.failedRequests++;
      await sleep(randomInt(rng, 10, 60));
    }
  }
  if (current) ledger.abandoned.push(current);
}

async function waitForEmptyInbox(server: ServerProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const health = await readHealth(server.url);
    if (health && health.inboxDepth === 0) return;
    last = health;
    await sleep(50);
  }
  assert.fail(`the inbox did not drain within ${timeoutMs} ms; last /health: ${JSON.stringify(last)}`);
}

/**
 * Fails unless each acknowledged identify left its userId and anonymousId on one profile (the merge
 * survived the crashes), and no two users share a profile (no merge too many).
 */
function assertLinkedOnOneProfile(dbPath: string, linked: ReadonlyMap<string, string>, about: string): void {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  let rows: { profileId: string; userId: string | null; anonymousId: string | null }[];
  try {
    rows = db
      .prepare(
        `SELECT profile_id AS profileId, json_extract(body, '$.userId') AS userId,
                json_extract(body, '$.anonymousId') AS anonymousId
         FROM events WHERE message_id LIKE 'crash-%'`,
      )
      .all() as typeof rows;
  } finally {
    db.close();
  }
  const profilesOf = new Map<string, Set<string>>();
  for (const row of rows) {
    for (const id of [row.userId, row.anonymousId]) {
      if (id === null) continue;
      profilesOf.set(id, (profilesOf.get(id) ?? new Set()).add(row.profileId));
    }
  }
  const userOf = new Map<string, string>();
  for (const [userId, anonymousId] of linked) {
    const profiles = [
      ...new Set([...(profilesOf.get(userId) ?? []), ...(profilesOf.get(anonymousId) ?? [])]),
    ];
    assert.equal(
      profiles.length,
      1,
      `${userId} and ${anonymousId} are linked but on ${profiles.length} profiles ${about}`,
    );
    const other = userOf.get(profiles[0]!);
    assert.equal(other, undefined, `${userId} and ${other} were merged into one profile ${about}`);
    userOf.set(profiles[0]!, userId);
  }
}

/**
 * SIGKILLs the server after a random stretch of load, `KILLS_WHILE_SERVING` times, plus once while a
 * restarted server is still starting; restarts it each time. Returns what it did, for the log.
 */
async function killRepeatedly(
  server: ServerProcess,
  options: { rng: Random; ledger: Ledger; failed: () => boolean },
): Promise<string[]> {
  const { rng, ledger } = options;
  const startupKillAfter = randomInt(rng, 0, KILLS_WHILE_SERVING - 1);
  const kills: string[] = [];
  for (let i = 0; i < KILLS_WHILE_SERVING && !options.failed(); i++) {
    const ackedBefore = ledger.acked.size;
    const loadMs = randomInt(rng, 0, 1_200);
    await sleep(loadMs);
    await server.kill('SIGKILL');
    kills.push(`serving +${loadMs} ms (${ledger.acked.size - ackedBefore} acked meanwhile)`);
    if (i === startupKillAfter) {
      server.spawn();
      const bootMs = randomInt(rng, 50, 700);
      await sleep(bootMs);
      await server.kill('SIGKILL');
      kills.push(`starting +${bootMs} ms`);
    }
    await server.start();
  }
  return kills;
}

test(
  'crash: SIGKILL at random moments under load loses no acknowledged event and doubles none',
  { timeout: 120_000 },
  async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 2 ** 31);
    const about = `(kill schedule seed ${seed}; rerun with CRASH_SEED=${seed})`;
    const defer = cleanupStack(t);
    const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-crash-'));
    defer(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freeLoopbackPort();
    const server = new ServerProcess({ dataDir, port, writeKey: WRITE_KEY, adminKey: ADMIN_KEY });
    defer(() => server.kill());
    await server.start();

    const ledger: Ledger = {
      sent: new Set(),
      acked: new Set(),
      linked: new Map(),
      requests: 0,
      failedRequests: 0,
      abandoned: [],
    };
    const control = { generating: true, deadline: Date.now() + SENDING_BUDGET_MS };
    let senderError: Error | undefined;
    const sending = Promise.all(
      Array.from({ length: SENDERS }, (_, i) =>
        runSender({
          url: server.url,
          next: createGenerator(i, createRandom(seed + 1 + i)),
          rng: createRandom(seed + 100 + i),
          ledger,
          control,
        }),
      ),
    ).catch((error: unknown) => {
      senderError = error instanceof Error ? error : new Error(String(error));
      control.generating = false;
    });
    // On any failure, stop the senders before the server goes, so they do not outlive the test.
    defer(async () => {
      control.deadline = 0;
      await sending;
    });

    let kills: string[];
    try {
      kills = await killRepeatedly(server, {
        rng: createRandom(seed),
        ledger,
        failed: () => senderError !== undefined,
      });
      await sleep(300);
    } finally {
      control.generating = false;
    }
    await sending;
    if (senderError !== undefined) throw senderError;
    t.diagnostic(`seed ${seed}; kills: ${kills.join('; ')}`);
    t.diagnostic(
      `${ledger.acked.size} messages acknowledged in ${ledger.requests} requests, ` +
        `${ledger.failedRequests} failed and retried; ${server.starts} server starts`,
    );

    // The run did what it claims: the kills happened, hit traffic, and the server only died when killed.
    assert.ok(kills.length > KILLS_WHILE_SERVING, `only ${kills.length} kills happened ${about}`);
    assert.deepEqual(
      server.unexpectedExits,
      [],
      `the server died on its own ${about}\n${server.recentOutput}`,
    );
    assert.ok(ledger.failedRequests >= KILLS_WHILE_SERVING, `the kills disturbed no request ${about}`);
    assert.ok(
      ledger.acked.size >= 1_000,
      `too little load to mean anything: ${ledger.acked.size} messages ${about}`,
    );
    assert.equal(
      ledger.abandoned.length,
      0,
      `${ledger.abandoned.length} deliveries were never acknowledged within ${SENDING_BUDGET_MS} ms ${about}\n${server.recentOutput}`,
    );
    assert.equal(
      ledger.acked.size,
      ledger.sent.size,
      `every message sent should end up acknowledged ${about}`,
    );

    await waitForEmptyInbox(server, 30_000);
    const dbPath = join(dataDir, 'orkestra.db');
    const counts = countStoredMessageIds(dbPath);
    assertStoredExactlyOnce(counts, ledger.acked, { note: about });
    const strangers = [...counts.keys()].filter((id) => !ledger.sent.has(id));
    assert.deepEqual(strangers.slice(0, 5), [], `events holds messageIds nobody sent ${about}`);
    assert.ok(
      ledger.linked.size >= USERS_PER_SENDER,
      `too few identify merges to check: ${ledger.linked.size} ${about}`,
    );
    assertLinkedOnOneProfile(dbPath, ledger.linked, about);

    await server.stop();
  },
);
