import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fixedClock, FIXED_NOW } from '../testing/fixtures.js';
import { createInboxInApp, type InAppInbox, type InboxEntry } from './inapp-inbox.js';

test('the in-app provider writes one entry per idempotency key, with its expiry', async () => {
  const entries: InboxEntry[] = [];
  const inbox: InAppInbox = {
    async add(e) {
      const existing = entries.find((x) => x.idempotencyKey === e.idempotencyKey);
      if (existing) return { id: existing.id };
      const id = `inb_${entries.length + 1}`;
      entries.push({ ...e, id });
      return { id };
    },
    async list(profileId, q) {
      return entries.filter((e) => e.profileId === profileId && (e.expiresAt ?? Infinity) > q.now);
    },
    async countUnread() {
      return 0;
    },
    async markRead() {},
    subscribe: () => () => {},
  };
  const provider = createInboxInApp(inbox, { now: fixedClock });
  const message = {
    idempotencyKey: 'r:n:inapp',
    channel: 'inapp' as const,
    to: 'prf_1',
    content: { channel: 'inapp' as const, title: 'Kupon', body: '%10 indirim', expiresInHours: 48 },
  };
  assert.deepEqual(await provider.send(message), { status: 'accepted', providerMessageId: 'inb_1' });
  assert.deepEqual(await provider.send(message), { status: 'accepted', providerMessageId: 'inb_1' });
  assert.equal(entries.length, 1);
  assert.equal(entries[0]?.expiresAt, FIXED_NOW + 48 * 3_600_000);
  assert.equal((await inbox.list('prf_1', { now: FIXED_NOW + 49 * 3_600_000 })).length, 0);
});
