import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ProfileId } from '../brand.js';
import type { InboundMessage } from '../messages/inbound-message.js';
import type { IdentityKey } from './identity.js';
import type { Profile } from './profile.js';
import { resolveBatch, type BatchPlan } from './resolve-batch.js';

/** A tiny in-memory world that applies plans the way a store does, to test sequences of batches. */
class World {
  identities = new Map<IdentityKey, ProfileId>();
  profiles = new Map<ProfileId, Profile>();
  events: { seq: number; profileId: ProfileId; messageId: string }[] = [];
  merges: BatchPlan['merges'][number][] = [];
  private seq = 0;
  private ids = 0;

  constructor(private readonly mergeOnEmail = true) {}

  apply(...messages: Partial<InboundMessage>[]): BatchPlan {
    const inputs = messages.map((m) => ({
      seq: ++this.seq,
      message: {
        messageId: `m${this.seq}`,
        timestamp: new Date(1_700_000_000_000 + this.seq * 1000).toISOString(),
        receivedAt: new Date(1_700_000_000_000 + this.seq * 1000).toISOString(),
        ...m,
      } as InboundMessage,
    }));
    const plan = resolveBatch(
      inputs,
      { identities: this.identities, profiles: this.profiles },
      { newProfileId: () => `p${++this.ids}` as ProfileId, mergeOnEmail: this.mergeOnEmail },
    );
    for (const m of plan.merges) {
      for (const [k, v] of this.identities) if (v === m.from) this.identities.set(k, m.into);
      for (const e of this.events) if (e.profileId === m.from) e.profileId = m.into;
      this.profiles.delete(m.from);
      this.merges.push(m);
    }
    for (const [k, v] of plan.identities) this.identities.set(k, v);
    for (const e of plan.events)
      this.events.push({ seq: e.seq, profileId: e.profileId, messageId: e.message.messageId });
    for (const p of plan.profiles) this.profiles.set(p.id, p);
    return plan;
  }

  owner(key: IdentityKey): ProfileId | undefined {
    return this.identities.get(key);
  }

  eventsOf(id: ProfileId | undefined): string[] {
    return this.events.filter((e) => e.profileId === id).map((e) => e.messageId);
  }
}

test('anonymous browsing, then identify, merges the anonymous history into the known profile', () => {
  const w = new World();
  w.apply({ type: 'page', anonymousId: 'a1', name: 'Home' });
  w.apply({ type: 'track', anonymousId: 'a1', event: 'Product Viewed' });
  w.apply({ type: 'track', userId: 'u1', event: 'Signed Up' }); // known profile exists separately
  assert.notEqual(w.owner('anonymous_id:a1'), w.owner('user_id:u1'));
  w.apply({ type: 'identify', userId: 'u1', anonymousId: 'a1', traits: { email: 'ada@example.com' } });
  const known = w.owner('user_id:u1');
  assert.equal(w.owner('anonymous_id:a1'), known);
  assert.deepEqual(w.eventsOf(known), ['m1', 'm2', 'm3', 'm4']);
  assert.equal(w.profiles.size, 1);
  assert.equal(w.merges[0]?.reason, 'identify');
  assert.equal(w.profiles.get(known!)?.eventCount, 4);
});

test('identify on an anonymous-only profile attaches the userId without a merge', () => {
  const w = new World();
  w.apply({ type: 'page', anonymousId: 'a1' });
  w.apply({ type: 'identify', userId: 'u1', anonymousId: 'a1' });
  assert.equal(w.owner('user_id:u1'), w.owner('anonymous_id:a1'));
  assert.equal(w.merges.length, 0);
  assert.deepEqual(w.profiles.get(w.owner('user_id:u1')!)?.userIds, ['u1']);
});

test('events under both ids after identify land on one profile, within one batch too', () => {
  const w = new World();
  w.apply(
    { type: 'track', anonymousId: 'a1', event: 'Product Added' },
    { type: 'identify', userId: 'u1', anonymousId: 'a1' },
    { type: 'track', userId: 'u1', event: 'Order Completed' },
    { type: 'track', anonymousId: 'a1', event: 'Cart Viewed' },
  );
  assert.equal(new Set(w.events.map((e) => e.profileId)).size, 1);
});

test('a late event for a merged anonymousId lands on the survivor', () => {
  const w = new World();
  w.apply({ type: 'track', anonymousId: 'a1', event: 'x' });
  w.apply({ type: 'track', userId: 'u1', event: 'y' });
  w.apply({ type: 'identify', userId: 'u1', anonymousId: 'a1' });
  w.apply({ type: 'track', anonymousId: 'a1', event: 'late' });
  assert.deepEqual(w.eventsOf(w.owner('user_id:u1')), ['m1', 'm2', 'm3', 'm4']);
});

test('alias chains: a → b → c end on one profile that all ids point at', () => {
  const w = new World();
  w.apply({ type: 'track', anonymousId: 'anon', event: 'x' });
  w.apply({ type: 'track', userId: 'b', event: 'y' });
  w.apply({ type: 'alias', previousId: 'anon', userId: 'b' });
  w.apply({ type: 'track', userId: 'c', event: 'z' });
  w.apply({ type: 'alias', previousId: 'b', userId: 'c' });
  const c = w.owner('user_id:c');
  assert.equal(w.owner('user_id:b'), c);
  assert.equal(w.owner('anonymous_id:anon'), c);
  assert.equal(w.profiles.size, 1);
  assert.deepEqual(w.eventsOf(c).length, 5);
  assert.deepEqual([...w.profiles.get(c!)!.userIds].sort(), ['b', 'c']);
});

test('alias to a new userId renames the anonymous profile', () => {
  const w = new World();
  w.apply({ type: 'track', anonymousId: 'anon', event: 'x' });
  w.apply({ type: 'alias', previousId: 'anon', userId: 'u9' });
  assert.equal(w.owner('user_id:u9'), w.owner('anonymous_id:anon'));
  assert.equal(w.merges.length, 0);
});

test('an email owned by another profile merges the two; the known one survives', () => {
  const w = new World();
  w.apply({ type: 'identify', anonymousId: 'a1', traits: { email: 'Ada@Example.com' } });
  w.apply({ type: 'identify', userId: 'u1', traits: { email: 'ada@example.com ' } });
  const u = w.owner('user_id:u1');
  assert.equal(w.owner('email:ada@example.com'), u);
  assert.equal(w.owner('anonymous_id:a1'), u);
  assert.equal(w.merges[0]?.reason, 'email');
  assert.equal(w.merges[0]?.into, u);
});

test('email merge can be turned off', () => {
  const w = new World(false);
  w.apply({ type: 'identify', anonymousId: 'a1', traits: { email: 'ada@example.com' } });
  w.apply({ type: 'identify', userId: 'u1', traits: { email: 'ada@example.com' } });
  assert.notEqual(w.owner('anonymous_id:a1'), w.owner('user_id:u1'));
  assert.equal(w.merges.length, 0);
});

test('two known people sharing an email or a device are never merged implicitly', () => {
  const w = new World();
  w.apply({ type: 'identify', userId: 'u1', traits: { email: 'family@example.com' } });
  w.apply({ type: 'identify', userId: 'u2', traits: { email: 'family@example.com' } });
  assert.notEqual(w.owner('user_id:u1'), w.owner('user_id:u2'));
  // u2 logs in on u1's anonymous device: the event goes to u2, no merge.
  w.apply({ type: 'identify', userId: 'u1', anonymousId: 'shared' });
  w.apply({ type: 'track', userId: 'u2', anonymousId: 'shared', event: 'x' });
  assert.notEqual(w.owner('user_id:u1'), w.owner('user_id:u2'));
  assert.deepEqual(w.eventsOf(w.owner('user_id:u2')), ['m2', 'm4']);
  assert.equal(w.merges.length, 0);
});

test('a late identify does not overwrite newer traits; merges keep the newest value per trait', () => {
  const w = new World();
  w.apply({ type: 'identify', userId: 'u1', traits: { plan: 'pro' }, timestamp: '2024-05-02T00:00:00Z' });
  w.apply({
    type: 'identify',
    userId: 'u1',
    traits: { plan: 'free', city: 'Izmir' },
    timestamp: '2024-05-01T00:00:00Z',
  });
  const p = w.profiles.get(w.owner('user_id:u1')!)!;
  assert.equal(p.traits.plan, 'pro');
  assert.equal(p.traits.city, 'Izmir');
  w.apply({
    type: 'identify',
    anonymousId: 'a',
    traits: { plan: 'enterprise' },
    timestamp: '2024-05-03T00:00:00Z',
  });
  w.apply({ type: 'identify', userId: 'u1', anonymousId: 'a', timestamp: '2024-04-01T00:00:00Z' });
  const merged = w.profiles.get(w.owner('user_id:u1')!)!;
  assert.equal(merged.traits.plan, 'enterprise');
  assert.equal(merged.traits.city, 'Izmir');
});

test('traits from context.traits, seen times, last channel and device tokens are captured', () => {
  const w = new World();
  w.apply({
    type: 'screen',
    userId: 'u1',
    name: 'Home',
    context: {
      traits: { phone: '+90 532 111 22 33' },
      device: { type: 'ios', token: 'tok1' },
      os: { name: 'iOS' },
    },
    timestamp: '2024-01-02T00:00:00Z',
  });
  w.apply({
    type: 'page',
    userId: 'u1',
    context: { page: { path: '/' } },
    timestamp: '2024-01-01T00:00:00Z',
  });
  const p = w.profiles.get(w.owner('user_id:u1')!)!;
  assert.equal(p.traits.phone, '+905321112233');
  assert.equal(w.owner('phone:+905321112233'), p.id);
  assert.equal(p.lastChannel, 'ios', 'the web page view was older, so the last channel stays ios');
  assert.equal(p.firstSeenAt, Date.parse('2024-01-01T00:00:00Z'));
  assert.deepEqual(
    p.pushTokens.map((t) => [t.token, t.platform]),
    [['tok1', 'ios']],
  );
  // The device changes hands: the token moves, nobody is merged.
  w.apply({ type: 'track', userId: 'u2', event: 'x', context: { device: { type: 'ios', token: 'tok1' } } });
  assert.equal(w.owner('device_token:tok1'), w.owner('user_id:u2'));
  assert.deepEqual(w.profiles.get(w.owner('user_id:u1')!)!.pushTokens, []);
});

test('group calls record the group and its traits on the member', () => {
  const w = new World();
  w.apply({ type: 'group', userId: 'u1', groupId: 'acme', traits: { name: 'Acme', plan: 'b2b' } });
  const p = w.profiles.get(w.owner('user_id:u1')!)!;
  assert.deepEqual(p.groups.acme?.traits, { name: 'Acme', plan: 'b2b' });
  assert.equal(p.traits.name, undefined, 'group traits are the group’s, not the person’s');
});
