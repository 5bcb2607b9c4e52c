import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestRuntime, type TestRuntime } from './support/test-runtime.js';

describe('unified profiles through the API', () => {
  let rt: TestRuntime;
  before(async () => {
    rt = await startTestRuntime();
  });
  after(async () => rt.close());

  const batch = async (...messages: Record<string, unknown>[]) => {
    const res = await rt.send('/v1/batch', { batch: messages });
    assert.equal(res.status, 200, await res.text());
    await rt.settle();
  };
  const find = async (q: string) => {
    const { body } = await rt.admin(`/api/profiles?q=${encodeURIComponent(q)}`);
    return body.items as { id: string; traits: Record<string, unknown>; userIds: string[] }[];
  };
  const eventsOf = async (id: string) => {
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await rt.admin(`/api/profiles/${id}/events?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(page.status, 200);
      names.push(...page.body.items.map((m: { messageId: string }) => m.messageId));
      cursor = page.body.nextCursor;
    } while (cursor);
    return names;
  };

  test('anonymous browsing, identify, then events under both ids: one profile with the whole history', async () => {
    await batch(
      {
        type: 'page',
        anonymousId: 'anon-1',
        name: 'Home',
        messageId: 'h1',
        timestamp: '2024-05-01T10:00:00Z',
      },
      {
        type: 'track',
        anonymousId: 'anon-1',
        event: 'Product Viewed',
        messageId: 'h2',
        timestamp: '2024-05-01T10:01:00Z',
      },
    );
    await batch({
      type: 'track',
      userId: 'cust-1',
      event: 'Logged In',
      messageId: 'h3',
      timestamp: '2024-05-01T10:02:00Z',
    });
    assert.equal((await find('anon-1'))[0]?.id === (await find('cust-1'))[0]?.id, false);
    await batch({
      type: 'identify',
      userId: 'cust-1',
      anonymousId: 'anon-1',
      traits: { email: 'Ayse@Example.com', firstName: 'Ayşe', phone: '0532 000 11 22', country: 'TR' },
      messageId: 'h4',
      timestamp: '2024-05-01T10:03:00Z',
    });
    await batch(
      {
        type: 'track',
        anonymousId: 'anon-1',
        event: 'Product Added',
        messageId: 'h5',
        timestamp: '2024-05-01T10:04:00Z',
      },
      {
        type: 'track',
        userId: 'cust-1',
        event: 'Order Completed',
        messageId: 'h6',
        timestamp: '2024-05-01T10:05:00Z',
      },
    );
    const [profile] = await find('cust-1');
    assert.ok(profile);
    assert.equal((await find('anon-1'))[0]?.id, profile.id);
    assert.equal((await find('ayse@example.com'))[0]?.id, profile.id);
    assert.equal((await find('+905320001122'))[0]?.id, profile.id);
    assert.deepEqual(await eventsOf(profile.id), ['h6', 'h5', 'h4', 'h3', 'h2', 'h1']);
    const { body } = await rt.admin(`/api/profiles/${profile.id}`);
    assert.equal(body.traits.email, 'ayse@example.com');
    assert.equal(body.channels.phone, '+905320001122');
    assert.equal(body.computed.firstSeenAt, '2024-05-01T10:00:00.000Z');
    assert.equal(body.computed.lastSeenAt, '2024-05-01T10:05:00.000Z');
    assert.equal(body.computed.eventCount, 6);
    assert.equal(body.mergeHistory.length, 1);
    assert.equal(body.mergeHistory[0].reason, 'identify');
    const merged = body.mergeHistory[0].from;
    assert.equal(
      (await rt.admin(`/api/profiles/${merged}`)).body.id,
      profile.id,
      'the merged id leads to the survivor',
    );
    assert.deepEqual(
      body.identities.map((i: { kind: string; value: string }) => `${i.kind}:${i.value}`).sort(),
      ['anonymous_id:anon-1', 'email:ayse@example.com', 'phone:+905320001122', 'user_id:cust-1'],
    );
  });

  test('a late event for a merged anonymousId lands on the survivor', async () => {
    await batch({
      type: 'track',
      anonymousId: 'anon-1',
      event: 'Late',
      messageId: 'h7',
      timestamp: '2024-04-30T09:00:00Z',
    });
    const [profile] = await find('cust-1');
    assert.deepEqual((await eventsOf(profile!.id)).at(-1), 'h7', 'sorted by event time, oldest last');
  });

  test('alias chains and email merges join profiles; different known people are never joined', async () => {
    await batch(
      { type: 'track', anonymousId: 'dev-a', event: 'x', messageId: 'a1' },
      { type: 'alias', previousId: 'dev-a', userId: 'old-id', messageId: 'a2' },
      { type: 'alias', previousId: 'old-id', userId: 'new-id', messageId: 'a3' },
      { type: 'track', userId: 'new-id', event: 'y', messageId: 'a4' },
    );
    const [chain] = await find('new-id');
    assert.equal((await find('old-id'))[0]?.id, chain?.id);
    assert.equal((await find('dev-a'))[0]?.id, chain?.id);
    assert.deepEqual((await eventsOf(chain!.id)).sort(), ['a1', 'a2', 'a3', 'a4']);

    await batch({
      type: 'identify',
      anonymousId: 'newsletter-anon',
      traits: { email: 'mert@example.com' },
      messageId: 'e1',
    });
    await batch({ type: 'identify', userId: 'mert', traits: { email: 'MERT@example.com' }, messageId: 'e2' });
    const [mert] = await find('mert');
    assert.equal((await find('newsletter-anon'))[0]?.id, mert?.id);
    const record = (await rt.admin(`/api/profiles/${mert!.id}`)).body;
    assert.equal(record.mergeHistory[0].reason, 'email');

    await batch({
      type: 'identify',
      userId: 'sibling',
      traits: { email: 'mert@example.com' },
      messageId: 'e3',
    });
    assert.notEqual((await find('sibling'))[0]?.id, mert?.id);
  });

  test('export holds everything; erasure leaves nothing findable and forgets the dedupe keys', async () => {
    const [profile] = await find('cust-1');
    const exported = await rt.admin(`/api/profiles/${profile!.id}/export`);
    assert.equal(exported.status, 200);
    assert.equal(exported.body.profile.traits.email, 'ayse@example.com');
    assert.equal(exported.body.events.length, 7);
    assert.equal(exported.body.profile.mergeHistory.length, 1);
    const merged = exported.body.profile.mergeHistory[0].from;

    const erased = await rt.admin(`/api/profiles/${profile!.id}`, 'DELETE');
    assert.equal(erased.status, 200);
    for (const q of ['cust-1', 'anon-1', 'ayse@example.com', '+905320001122', 'Ayşe', profile!.id]) {
      assert.deepEqual(await find(q), [], `nothing found for ${q}`);
    }
    assert.equal((await rt.admin(`/api/profiles/${profile!.id}`)).status, 404);
    assert.equal((await rt.admin(`/api/profiles/${merged}`)).status, 404);
    assert.equal((await rt.admin(`/api/profiles/${profile!.id}/events`)).status, 404);
    assert.equal((await rt.admin(`/api/profiles/${profile!.id}`, 'DELETE')).status, 404);
    // The same messageId is new again: it was not kept anywhere.
    await batch({ type: 'track', userId: 'cust-1', event: 'Order Completed', messageId: 'h6' });
    const [fresh] = await find('cust-1');
    assert.ok(fresh && fresh.id !== profile!.id);
    assert.deepEqual(await eventsOf(fresh.id), ['h6']);
    assert.ok((await find('new-id')).length === 1, 'other people are untouched');
  });
});
