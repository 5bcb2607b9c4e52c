import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EpochMs, ProfileId } from '../core/brand.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import { identityKeysOf, type IdentityKey } from '../core/profiles/identity.js';
import { resolveBatch } from '../core/profiles/resolve-batch.js';
import type { InboxEntry, Store } from './store.js';

const T0 = Date.parse('2024-06-01T00:00:00Z');
const DAY = 86_400_000;
const at = (ms: number) => ms as EpochMs;

let counter = 0;
function message(fields: Partial<InboundMessage>): InboundMessage {
  counter++;
  return {
    type: 'track',
    event: 'Viewed',
    messageId: `msg-${counter}`,
    timestamp: new Date(T0 + counter * 1000).toISOString(),
    receivedAt: new Date(T0 + counter * 1000).toISOString(),
    ...fields,
  };
}
const entry = (m: InboundMessage): InboxEntry => ({ kind: 'message', message: m });

/** Appends messages and runs them through the pure resolver, as the engine does. */
async function ingest(store: Store, messages: InboundMessage[], ids: { n: number }): Promise<void> {
  await store.appendToInbox(messages.map(entry), { now: at(T0), dedupeSince: at(T0 - DAY) });
  const rows = await store.readInbox(10_000);
  const inputs = rows.flatMap((r) => (r.kind === 'message' ? [{ seq: r.seq, message: r.message }] : []));
  const keys = new Set<IdentityKey>(inputs.flatMap((i) => identityKeysOf(i.message)));
  const identities = await store.findOwners(keys);
  const profiles = await store.loadProfiles(new Set(identities.values()));
  const plan = resolveBatch(
    inputs,
    { identities, profiles },
    {
      newProfileId: () => `prf_${String(++ids.n).padStart(4, '0')}` as ProfileId,
      mergeOnEmail: true,
    },
  );
  await store.commitBatch(plan, rows[rows.length - 1]!.seq);
}

/**
 * The contract every Store must keep. Each implementation's test file calls this with a factory that
 * opens an empty store.
 * @example describeStoreContract('sqlite', async () => openSqliteStore({ path: ':memory:' }));
 */
export function describeStoreContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    test('appends in order and dedupes by messageId within the window', async () => {
      const store = await open();
      const a = message({ userId: 'u' });
      const b = message({ userId: 'u' });
      const first = await store.appendToInbox([entry(a), entry(b), entry(a)], {
        now: at(T0),
        dedupeSince: at(T0 - DAY),
      });
      assert.deepEqual([first.accepted, first.duplicates], [2, 1]);
      const again = await store.appendToInbox([entry(b)], {
        now: at(T0 + 1000),
        dedupeSince: at(T0 + 1000 - DAY),
      });
      assert.deepEqual([again.accepted, again.duplicates, again.lastSeq], [0, 1, 0]);
      const later = T0 + 2 * DAY;
      const expired = await store.appendToInbox([entry(a)], { now: at(later), dedupeSince: at(later - DAY) });
      assert.equal(expired.accepted, 1, 'a messageId older than the window is accepted again');
      const rows = await store.readInbox(10);
      assert.deepEqual(
        rows.map((r) => (r.kind === 'message' ? r.message.messageId : r.kind)),
        [a.messageId, b.messageId, a.messageId],
      );
      assert.ok(rows[0]!.seq < rows[1]!.seq && rows[1]!.seq < rows[2]!.seq);
      assert.equal(await store.inboxDepth(), 3);
      // How many rows a prune removes depends on how the keys are kept; what must hold is what it keeps.
      assert.ok((await store.pruneDedupe(at(T0 + DAY))) >= 1, 'keys seen before the cut are pruned');
      const kept = await store.appendToInbox([entry(a)], {
        now: at(later + 1),
        dedupeSince: at(later + 1 - DAY),
      });
      assert.equal(kept.duplicates, 1, 'a key seen after the cut is still remembered');
      await store.close();
    });

    test('after an email merge, every identity of the merged-away profile names the survivor', async () => {
      const store = await open();
      const ids = { n: 0 };
      await ingest(
        store,
        [message({ type: 'identify', anonymousId: 'a9', traits: { email: 'm@e.io' } })],
        ids,
      );
      await ingest(store, [message({ userId: 'u9', event: 'Signed Up' })], ids);
      const before = await store.findOwners(['anonymous_id:a9', 'user_id:u9'] as IdentityKey[]);
      assert.notEqual(before.get('anonymous_id:a9'), before.get('user_id:u9'));
      // u9 claims the email a9's profile owns: the two become one, though a9 is not in this message.
      await ingest(store, [message({ type: 'identify', userId: 'u9', traits: { email: 'm@e.io' } })], ids);
      const after = await store.findOwners([
        'anonymous_id:a9',
        'user_id:u9',
        'email:m@e.io',
      ] as IdentityKey[]);
      assert.equal(new Set(after.values()).size, 1, JSON.stringify([...after]));
      const survivor = [...after.values()][0]!;
      assert.equal((await store.loadProfiles([survivor])).size, 1);
      await store.close();
    });

    test('commits a batch: profiles, identities, merges, events; and consumes the inbox', async () => {
      const store = await open();
      const ids = { n: 0 };
      await ingest(
        store,
        [message({ anonymousId: 'a1' }), message({ userId: 'u1', event: 'Signed Up' })],
        ids,
      );
      await ingest(
        store,
        [message({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'x@y.io' } })],
        ids,
      );
      assert.equal(await store.inboxDepth(), 0);
      const owners = await store.findOwners([
        'user_id:u1',
        'anonymous_id:a1',
        'email:x@y.io',
      ] as IdentityKey[]);
      const survivor = owners.get('user_id:u1')!;
      assert.deepEqual(new Set(owners.values()), new Set([survivor]));
      const record = await store.getProfile(survivor);
      assert.equal(record?.profile.traits.email, 'x@y.io');
      assert.deepEqual(record?.identities.map((i) => `${i.kind}:${i.value}`).sort(), [
        'anonymous_id:a1',
        'email:x@y.io',
        'user_id:u1',
      ]);
      assert.equal(record?.merges.length, 1);
      const loser = record.merges[0]!.from;
      assert.equal(
        (await store.getProfile(loser))?.profile.id,
        survivor,
        'a merged id leads to the survivor',
      );
      assert.equal((await store.loadProfiles([loser])).size, 0);
      assert.equal(await store.countProfiles(), 1);
      assert.equal(await store.countEvents(), 3);
      await store.close();
    });

    test('lists events newest first, page by page', async () => {
      const store = await open();
      const ids = { n: 0 };
      await ingest(
        store,
        Array.from({ length: 7 }, (_, i) => message({ userId: 'u', event: `e${i}` })),
        ids,
      );
      const id = (await store.findOwners(['user_id:u'] as IdentityKey[])).get('user_id:u')!;
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.listEvents(id, { limit: 3, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((e) => e.message.event!));
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      assert.deepEqual(seen, ['e6', 'e5', 'e4', 'e3', 'e2', 'e1', 'e0']);
      assert.equal(pages, 3);
      await store.close();
    });

    test('searches by id, identity and trait value, with a cursor', async () => {
      const store = await open();
      const ids = { n: 0 };
      await ingest(
        store,
        [
          message({ type: 'identify', userId: 'ada', traits: { email: 'ada@example.com', city: 'Izmir' } }),
          message({ type: 'identify', userId: 'bob', traits: { email: 'bob@example.com', city: 'Berlin' } }),
          message({ type: 'identify', userId: 'cem', traits: { city: 'Izmir', phone: '+905321234567' } }),
        ],
        ids,
      );
      const q = async (s?: string) =>
        (await store.searchProfiles({ limit: 10, ...(s ? { q: s } : {}) })).items.map((p) => p.userIds[0]);
      assert.deepEqual(await q('ADA@example.com'), ['ada']);
      assert.deepEqual(await q('bob'), ['bob']);
      assert.deepEqual(await q('+905321234567'), ['cem']);
      assert.deepEqual(await q('izmir'), ['ada', 'cem']);
      assert.deepEqual(await q('prf_0002'), ['bob']);
      assert.deepEqual(await q('nobody'), []);
      assert.deepEqual(await q('100%_'), []);
      const first = await store.searchProfiles({ limit: 2 });
      assert.equal(first.items.length, 2);
      const second = await store.searchProfiles({ limit: 2, cursor: first.nextCursor! });
      assert.deepEqual(
        second.items.map((p) => p.userIds[0]),
        ['cem'],
      );
      assert.equal(second.nextCursor, undefined);
      await store.close();
    });

    test('erasure removes the profile, what was merged into it, its events, identities and dedupe keys', async () => {
      const store = await open();
      const ids = { n: 0 };
      const anon = message({ anonymousId: 'a1' });
      await ingest(store, [anon, message({ userId: 'u1' }), message({ userId: 'keep' })], ids);
      await ingest(store, [message({ type: 'identify', userId: 'u1', anonymousId: 'a1' })], ids);
      const id = (await store.findOwners(['user_id:u1'] as IdentityKey[])).get('user_id:u1')!;
      const loser = (await store.getProfile(id))!.merges[0]!.from;
      const { lastSeq } = await store.appendToInbox([{ kind: 'erase', profileId: loser }], {
        now: at(T0),
        dedupeSince: at(T0 - DAY),
      });
      const result = await store.eraseProfile(loser, lastSeq);
      assert.deepEqual(result, { profiles: 2, events: 3, identities: 2 });
      assert.equal(await store.getProfile(id), undefined);
      assert.equal(await store.getProfile(loser), undefined);
      assert.equal((await store.searchProfiles({ q: 'u1', limit: 10 })).items.length, 0);
      assert.equal((await store.findOwners(['anonymous_id:a1'] as IdentityKey[])).size, 0);
      assert.equal(await store.countEvents(), 1, 'other people are untouched');
      assert.equal(await store.inboxDepth(), 0);
      const again = await store.appendToInbox([entry(anon)], { now: at(T0), dedupeSince: at(T0 - DAY) });
      assert.equal(again.accepted, 1, 'the dedupe key went with the events');
      await store.close();
    });

    test('erasure forgets the memberships of the erased profiles, and only theirs', async () => {
      const store = await open();
      const ids = { n: 0 };
      await ingest(store, [message({ userId: 'gone' }), message({ userId: 'stays' })], ids);
      const [goneKey, staysKey] = ['user_id:gone', 'user_id:stays'] as IdentityKey[];
      const owners = await store.findOwners([goneKey!, staysKey!]);
      const [gone, stays] = [owners.get(goneKey!)!, owners.get(staysKey!)!];
      const condition = { type: 'trait', trait: 'x', op: 'exists' } as const;
      for (const id of ['s1', 's2'])
        await store.saveSegment({ version: 1, id, name: id, condition } as never, at(T0));
      const entered = (segmentId: string, profileId: ProfileId) => ({
        segmentId,
        profileId,
        entered: true,
        at: T0,
      });
      await store.commitBatch({
        merges: [],
        identities: new Map(),
        events: [],
        profiles: [],
        memberships: [entered('s1', gone), entered('s2', gone), entered('s1', stays)],
      });
      const { lastSeq } = await store.appendToInbox([{ kind: 'erase', profileId: gone }], {
        now: at(T0),
        dedupeSince: at(T0 - DAY),
      });
      await store.eraseProfile(gone, lastSeq);
      assert.deepEqual(await store.memberIds('s1'), [stays]);
      assert.deepEqual(await store.memberIds('s2'), []);
      await store.close();
    });

    test('keeps settings', async () => {
      const store = await open();
      assert.equal(await store.getSetting('k'), undefined);
      await store.setSetting('k', 'v1');
      await store.setSetting('k', 'v2');
      assert.equal(await store.getSetting('k'), 'v2');
      await store.close();
    });
  });
}
