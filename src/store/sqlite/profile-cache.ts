import type { ProfileId } from '../../core/brand.js';
import type { IdentityKey } from '../../core/profiles/identity.js';
import { parseProfile, type Profile } from '../../core/profiles/profile.js';
import type { BatchWrite } from '../store.js';

/**
 * The engine's memory of recent profiles and identity owners, so that a person who sends many events
 * is read from the database once rather than once per batch. Only sound in the store instance that
 * is the one writer of profiles (the engine's): it learns every write from `remember`, and whoever
 * else writes (a job on another connection, an erasure) must be followed by `clear`.
 *
 * Profiles are kept as the JSON stored for them, and parsed on each read: held as objects, every
 * version of a busy profile lived long enough to be promoted to the old generation and died there,
 * and the engine thread's mark-compacts grew to 250–440 ms at 5,000 events/s (traced in a 60 s
 * real-time run), the largest part of the membership latency's tail. A string has nothing inside for
 * the collector to trace. Parsing costs what the objects saved: `bench/engine.ts` is unchanged.
 */
export class ProfileCache {
  private profiles = new Map<ProfileId, string>();
  private owners = new Map<IdentityKey, ProfileId>();
  /** Merged-away profile → the one it was merged into, for owners cached before the merge. */
  private survivors = new Map<ProfileId, ProfileId>();
  /** The re-evaluation time last written for a profile (null: none), so an unchanged one is not rewritten. */
  private timers = new Map<ProfileId, number | null>();

  constructor(private readonly capacity: number) {}

  profile(id: ProfileId): Profile | undefined {
    const json = this.profiles.get(id);
    return json === undefined ? undefined : parseProfile(json);
  }

  owner(key: IdentityKey): ProfileId | undefined {
    let owner = this.owners.get(key);
    for (let next = owner && this.survivors.get(owner); next !== undefined; next = this.survivors.get(next))
      owner = next;
    return owner;
  }

  /** A profile as read from the database: its stored JSON. */
  noteProfile(id: ProfileId, json: string): void {
    this.profiles.set(id, json);
  }

  noteOwner(key: IdentityKey, owner: ProfileId): void {
    this.owners.set(key, owner);
  }

  /**
   * The timers of `timers` that differ from what this store last wrote: the others need no write.
   * Most new events leave a person's earliest window expiry where it was (it is set by the oldest
   * event in a window), and each skipped upsert saves a row and an index entry.
   */
  changedTimers(timers: ReadonlyMap<ProfileId, number | null>): Map<ProfileId, number | null> {
    const changed = new Map<ProfileId, number | null>();
    for (const [id, due] of timers) if (this.timers.get(id) !== due) changed.set(id, due);
    return changed;
  }

  /** Learns what a committed batch wrote: `json` holds the JSON stored for each of its profiles. */
  remember(write: BatchWrite, json: ReadonlyMap<ProfileId, string> = new Map()): void {
    for (const m of write.merges) {
      this.profiles.delete(m.from);
      this.timers.delete(m.from);
      this.survivors.set(m.from, m.into);
    }
    for (const [id, due] of write.timers ?? []) this.timers.set(id, due);
    if (this.timers.size > this.capacity) this.timers = new Map();
    // Deleted first, so that what a batch wrote moves to the end of the maps' order (see `makeRoom`).
    for (const [key, owner] of write.identities) {
      this.owners.delete(key);
      this.owners.set(key, owner);
    }
    for (const p of write.profiles) {
      this.profiles.delete(p.id);
      this.profiles.set(p.id, json.get(p.id) ?? JSON.stringify(p));
    }
    if (this.profiles.size + this.owners.size > this.capacity) this.makeRoom();
  }

  /**
   * Full: keeps the newer half of the profiles and owners (a Map keeps insertion order, and `remember`
   * moves what it writes to the end), so the people sending now stay cached. Emptied whole instead,
   * a working set larger than the cache (the pipeline benchmark's 100,000 people and their identity
   * keys, against 300,000 entries) was read again from the database after every fill. An owner may
   * name a profile merged away since, which `survivors` resolves, so those go only with everything else.
   */
  private makeRoom(): void {
    if (this.survivors.size > this.capacity / 4) return this.clear();
    this.profiles = newestHalf(this.profiles);
    this.owners = newestHalf(this.owners);
  }

  clear(): void {
    this.profiles = new Map();
    this.owners = new Map();
    this.survivors = new Map();
    this.timers = new Map();
  }
}

/** A new map of the later-inserted half of `map`'s entries, in their order. */
function newestHalf<K, V>(map: ReadonlyMap<K, V>): Map<K, V> {
  const kept = new Map<K, V>();
  let skip = Math.floor(map.size / 2);
  for (const [key, value] of map) if (skip-- <= 0) kept.set(key, value);
  return kept;
}
