import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import { DEFAULT_CONFIG, startRuntime, type Runtime } from '../src/cli/runtime.js';
import { cleanupStack } from './support/cleanup.js';
import { startRecordingProxy, type ProxyAction, type ProxiedRequest } from './support/recording-proxy.js';
import {
  rudderSdk,
  segmentSdk,
  type Call,
  type SdkSession,
  type SdkUnderTest,
} from './support/sdk-clients.js';
import { assertStoredExactlyOnce, countStoredMessageIds } from './support/stored-events.js';

// The real Segment and RudderStack Node SDKs, each through its own batching and retries, against a
// running server: every call is stored once, on the profile it belongs to, even when answers are lost.

const FLUSH_AT = 4;
/** Batches that meet the fault plan; later ones pass straight through. */
const FAULTED_BATCHES = 2;

/**
 * The first delivery of a faulted batch reaches the server (it stores it) but the client is told 500;
 * the second is refused with 429 and `Retry-After: 1`; the third passes. Dedupe must absorb the third.
 */
const faultPlan = ({ batchIndex, attempt }: { batchIndex: number; attempt: number }): ProxyAction => {
  if (batchIndex >= FAULTED_BATCHES) return { kind: 'forward' };
  if (attempt === 1) return { kind: 'lose-answer', status: 500 };
  if (attempt === 2) return { kind: 'rate-limit', retryAfterSeconds: 1 };
  return { kind: 'forward' };
};

/**
 * Three phases, flushed one after another so that the merges happen in a known order: first the
 * known user, an anonymous visitor and an older user id each on their own profile; then identify
 * (userId + anonymousId) and alias (previousId → userId) merge them; then calls under each old id.
 */
function scenario(p: string): readonly (readonly Call[])[] {
  const user = `${p}-user`;
  const anon = `${p}-anon`;
  const old = `${p}-old-user`;
  return [
    [
      { tag: `${p}-1`, type: 'track', who: { userId: user }, event: 'Signed In' },
      { tag: `${p}-2`, type: 'page', who: { anonymousId: anon }, name: 'Home' },
      { tag: `${p}-3`, type: 'track', who: { anonymousId: anon }, event: 'Product Viewed' },
      { tag: `${p}-4`, type: 'screen', who: { anonymousId: anon }, name: 'Catalog' },
      { tag: `${p}-5`, type: 'track', who: { userId: old }, event: 'Legacy Login' },
      { tag: `${p}-6`, type: 'identify', who: { userId: old }, traits: { plan: 'legacy' } },
    ],
    [
      {
        tag: `${p}-7`,
        type: 'identify',
        who: { userId: user, anonymousId: anon },
        traits: { email: `${p}@example.com`, name: 'Ada' },
      },
      { tag: `${p}-8`, type: 'alias', userId: user, previousId: old },
      { tag: `${p}-9`, type: 'group', who: { userId: user }, groupId: `${p}-acme`, traits: { name: 'Acme' } },
    ],
    [
      { tag: `${p}-10`, type: 'track', who: { anonymousId: anon }, event: 'Cart Viewed' },
      { tag: `${p}-11`, type: 'page', who: { userId: old }, name: 'Settings' },
      { tag: `${p}-12`, type: 'screen', who: { userId: user }, name: 'Checkout' },
      { tag: `${p}-13`, type: 'track', who: { userId: user }, event: 'Order Completed' },
    ],
  ];
}

interface ProfileView {
  id: string;
  userIds: string[];
  traits: Record<string, unknown>;
  groups: Record<string, unknown>;
  computed: { eventCount: number };
  identities: { kind: string; value: string }[];
  mergeHistory: { reason: string }[];
}
interface StoredMessage {
  messageId: string;
  type: string;
  context?: { testTag?: string };
}

async function adminGet<T>(rt: Runtime, path: string): Promise<T> {
  const res = await fetch(`${rt.url}${path}`, { headers: { authorization: `Bearer ${rt.adminKey}` } });
  const text = await res.text();
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/** The one profile an identity value leads to, through the search API. */
async function profileIdFor(rt: Runtime, value: string): Promise<string> {
  const page = await adminGet<{ items: { id: string }[] }>(
    rt,
    `/api/profiles?q=${encodeURIComponent(value)}`,
  );
  assert.equal(
    page.items.length,
    1,
    `search for ${value} should find one profile, found ${page.items.length}`,
  );
  return page.items[0]!.id;
}

/** A profile's whole timeline, page by page (small pages, to go through the cursor). */
async function allEvents(rt: Runtime, profileId: string): Promise<StoredMessage[]> {
  const out: StoredMessage[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 100; page++) {
    const query: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const body = await adminGet<{ items: StoredMessage[]; nextCursor: string | null }>(
      rt,
      `/api/profiles/${encodeURIComponent(profileId)}/events?limit=5${query}`,
    );
    out.push(...body.items);
    cursor = body.nextCursor;
    if (!cursor) return out;
  }
  assert.fail('the event timeline did not end within 100 pages');
}

async function startServer(
  defer: (cleanup: () => unknown) => void,
): Promise<{ rt: Runtime; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'orkestra-sdk-'));
  defer(() => rmSync(dataDir, { recursive: true, force: true }));
  const rt = await startRuntime({
    ...DEFAULT_CONFIG,
    host: '127.0.0.1',
    port: 0,
    dataDir,
    writeKey: 'sdk-write-key',
    adminKey: 'sdk-admin-key',
  });
  defer(() => rt.close());
  return { rt, dataDir };
}

/** Checks the proxy log of each faulted batch: 500 after the server stored it, 429, then one more try. */
function assertFaultsHonoured(sdk: SdkUnderTest, requests: readonly ProxiedRequest[]): void {
  for (let batch = 0; batch < FAULTED_BATCHES; batch++) {
    const tries = requests.filter((r) => r.batchIndex === batch);
    const summary = tries.map((r) => `${r.action}→${r.status}`).join(', ');
    assert.deepEqual(
      tries.map((r) => [r.attempt, r.action, r.upstreamStatus, r.status]),
      [
        [1, 'lose-answer', 200, 500],
        [2, 'rate-limit', undefined, 429],
        [3, 'forward', 200, 200],
      ],
      `${sdk.name}, batch ${batch}: expected stored-then-500, 429, then one successful retry; got ${summary}`,
    );
    const waited = tries[2]!.at - tries[1]!.at;
    assert.ok(waited >= 950, `${sdk.name} retried ${Math.round(waited)} ms after a 429 with Retry-After: 1`);
  }
}

/**
 * On the wire: batches to /v1/batch in the SDK's own encoding, and one messageId per call however
 * often it was resent. Returns the messageIds.
 */
function assertOnTheWire(sdk: SdkUnderTest, requests: readonly ProxiedRequest[], calls: number): Set<string> {
  assert.ok(requests.length >= 3, `expected several batches, saw ${requests.length} requests`);
  for (const r of requests) {
    assert.equal(r.path, '/v1/batch');
    assert.equal(r.contentType, sdk.wire.contentType, `${sdk.name} Content-Type`);
    assert.equal(r.contentEncoding, sdk.wire.contentEncoding, `${sdk.name} Content-Encoding`);
    assert.ok(r.messageIds.length > 0 && r.messageIds.length <= FLUSH_AT, `batch of ${r.messageIds.length}`);
  }
  const sentIds = new Set(requests.flatMap((r) => r.messageIds));
  assert.equal(sentIds.size, calls, 'distinct messageIds on the wire should equal the number of calls');
  return sentIds;
}

/** Through the admin API: one profile holds every call, once, with both merges and their traits. */
async function assertOneMergedProfile(
  rt: Runtime,
  prefix: string,
  expected: { calls: readonly Call[]; messageIds: ReadonlySet<string> },
): Promise<void> {
  const user = `${prefix}-user`;
  const old = `${prefix}-old-user`;
  const profileId = await profileIdFor(rt, user);
  assert.equal(await profileIdFor(rt, `${prefix}-anon`), profileId, 'the anonymousId leads elsewhere');
  assert.equal(await profileIdFor(rt, old), profileId, 'the aliased userId leads elsewhere');
  const profile = await adminGet<ProfileView>(rt, `/api/profiles/${encodeURIComponent(profileId)}`);
  assert.deepEqual(profile.userIds.toSorted(), [old, user].sort());
  const identities = profile.identities.map((i) => `${i.kind}:${i.value}`);
  for (const identity of [`user_id:${user}`, `user_id:${old}`, `anonymous_id:${prefix}-anon`]) {
    assert.ok(identities.includes(identity), `identity ${identity} missing from ${identities.join(', ')}`);
  }
  assert.deepEqual(profile.mergeHistory.map((m) => m.reason).sort(), ['alias', 'identify']);
  assert.equal(
    profile.computed.eventCount,
    expected.calls.length,
    'the profile counted another number of events',
  );
  assert.deepEqual(
    [profile.traits.email, profile.traits.name, profile.traits.plan],
    [`${prefix}@example.com`, 'Ada', 'legacy'],
    'traits from the identify and from the aliased profile',
  );
  assert.ok(profile.groups[`${prefix}-acme`], 'the group call is on the profile');

  const events = await allEvents(rt, profileId);
  const tags = events.map((e) => e.context?.testTag ?? `(untagged ${e.type} ${e.messageId})`);
  assert.deepEqual(
    tags.toSorted(),
    expected.calls.map((c) => c.tag).sort(),
    'the profile timeline should hold every call exactly once',
  );
  assert.deepEqual(new Set(events.map((e) => e.messageId)), expected.messageIds);
}

async function run(t: TestContext, sdk: SdkUnderTest, withFaults: boolean): Promise<void> {
  const defer = cleanupStack(t);
  const { rt, dataDir } = await startServer(defer);
  const proxy = await startRecordingProxy({ target: rt.url, ...(withFaults ? { decide: faultPlan } : {}) });
  defer(() => proxy.close());
  const session: SdkSession = sdk.open({ writeKey: rt.writeKey, url: proxy.url, flushAt: FLUSH_AT });
  defer(() => session.close());
  const prefix = `${withFaults ? 'f' : 'p'}${sdk === segmentSdk ? 'seg' : 'rud'}`;
  const phases = scenario(prefix);
  const calls = phases.flat();

  for (const phase of phases) {
    for (const call of phase) session.send(call);
    await session.flush();
  }
  await session.close();
  assert.deepEqual(session.failures, [], `${sdk.name} reported delivery failures`);
  assert.equal(session.outstanding, 0, `${sdk.name} never reported on ${session.outstanding} calls`);
  await rt.engine.drain();

  const messageIds = assertOnTheWire(sdk, proxy.requests, calls.length);
  if (withFaults) assertFaultsHonoured(sdk, proxy.requests);
  const counts = countStoredMessageIds(join(dataDir, 'orkestra.db'));
  assertStoredExactlyOnce(counts, messageIds, { what: 'messages the SDK sent' });
  assert.equal(counts.size, messageIds.size, 'the events table holds messageIds nobody sent');
  await assertOneMergedProfile(rt, prefix, { calls, messageIds });
}

describe('SDK ingestion: the real Segment and RudderStack Node SDKs', () => {
  for (const sdk of [segmentSdk, rudderSdk]) {
    test(`${sdk.name}: every call type is stored once, on the merged profile`, async (t) => {
      await run(t, sdk, false);
    });
    test(`${sdk.name}: retries after a lost 500 and a 429 lose nothing and double nothing`, async (t) => {
      await run(t, sdk, true);
    });
  }
});
