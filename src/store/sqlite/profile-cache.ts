import type { ProfileId } from '../../core/brand.js';
import type { IdentityKey } from '../../core/profiles/identity.js';
import type { Profile } from '../../core/profiles/profile.js';
import type { BatchWrite } from '../store.js';

/**
 * The engine's memory of recent profiles and identity owners, so that a person who sends many events
 * is read from the database once rather than once per batch. Only sound in the store instance that
 * is the one writer of profiles (the engine's): it learns every write from `remember`, and whoever
 * else writes (a job on another connection, an erasure) must be followed by `clear`.
 * Profiles are immutable values, so handing out the cached object is safe.
 */
export class ProfileCache {
  private profiles = new Map<ProfileId, Profile>();
  private owners = new Map<IdentityKey, ProfileId>();
  /** Merged-away profile → the one it was merged into, for owners cached before the merge. */
  private survivors = new Map<ProfileId, ProfileId>();
  /** The re-evaluation time last written for a profile (null: none), so an unchanged one is not rewritten. */
  private timers = new Map<ProfileId, number | null>();

  constructor(private readonly capacity: number) {}

  profile(id: ProfileId): Profile | undefined {
    return this.profiles.get(id);
  }

  owner(key: IdentityKey): ProfileId | undefined {
    let owner = this.owners.get(key);
    for (let next = owner && this.survivors.get(owner); next !== undefined; next = this.survivors.get(next))
      owner = next;
    return owner;
  }

  noteProfile(profile: Profile): void {
    this.profiles.set(profile.id, profile);
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

  /** Learns what a committed batch wrote. */
  remember(write: BatchWrite): void {
    for (const m of write.merges) {
      this.profiles.delete(m.from);
      this.timers.delete(m.from);
      this.survivors.set(m.from, m.into);
    }
    for (const [id, due] of write.timers ?? []) this.timers.set(id, due);
    if (this.timers.size > this.capacity) this.timers = new Map();
    for (const [key, owner] of write.identities) this.owners.set(key, owner);
    for (const p of write.profiles) this.profiles.set(p.id, p);
    if (this.profiles.size + this.owners.size > this.capacity) this.clear();
  }

  clear(): void {
    this.profiles = new Map();
    this.owners = new Map();
    this.survivors = new Map();
    this.timers = new Map();
  }
}
