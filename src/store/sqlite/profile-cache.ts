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

  /** Learns what a committed batch wrote. */
  remember(write: BatchWrite): void {
    for (const m of write.merges) {
      this.profiles.delete(m.from);
      this.survivors.set(m.from, m.into);
    }
    for (const [key, owner] of write.identities) this.owners.set(key, owner);
    for (const p of write.profiles) this.profiles.set(p.id, p);
    if (this.profiles.size + this.owners.size > this.capacity) this.clear();
  }

  clear(): void {
    this.profiles = new Map();
    this.owners = new Map();
    this.survivors = new Map();
  }
}
