/**
 * The dedupe window in memory: a 64-bit hash of each `messageId` and when it was seen, in an
 * open-addressing table (16 bytes a slot, at most half full). The inbox file keeps the same keys in
 * arrival order (`dedupe_keys`), so that the table can be rebuilt at start; what it saves is a B-tree
 * keyed by the id itself, where every random id (a UUID) dirtied a leaf of its own: 37 µs a message
 * with a million ids in the window, against about 1 for an append in arrival order (`bench/dedupe.ts`).
 *
 * Two different ids share a 64-bit hash with a probability of about n / 2^64 for a window of n ids:
 * below one in a billion billion for ten million.
 * @example const index = new DedupeIndex(); index.add(hashHi, hashLo, now);
 */
export class DedupeIndex {
  private hi = new Uint32Array(0);
  private lo = new Uint32Array(0);
  /** When each key was last accepted; NaN for an empty slot, -Infinity for a forgotten key. */
  private at = new Float64Array(0);
  private used = 0;

  constructor(capacity = 1024) {
    this.allocate(capacity);
  }

  /** Whether the key was accepted at or after `since`. */
  seenSince(hi: number, lo: number, since: number): boolean {
    const slot = this.find(hi, lo);
    if (slot < 0) return false;
    const at = this.at[slot]!;
    return at >= since && at !== Number.NEGATIVE_INFINITY;
  }

  /** Records the key as accepted at `at`; returns when it was before (undefined if it was not held), for `undo`. */
  add(hi: number, lo: number, at: number): number | undefined {
    let slot = this.find(hi, lo);
    if (slot >= 0) {
      const before = this.at[slot]!;
      this.at[slot] = at;
      return before;
    }
    if ((this.used + 1) * 2 > this.at.length) this.grow();
    slot = ~this.find(hi, lo);
    this.hi[slot] = hi;
    this.lo[slot] = lo;
    this.at[slot] = at;
    this.used++;
    return undefined;
  }

  /** Puts back what `add` changed (a transaction that did not commit). */
  undo(hi: number, lo: number, before: number | undefined): void {
    const slot = this.find(hi, lo);
    if (slot >= 0) this.at[slot] = before ?? Number.NEGATIVE_INFINITY;
  }

  /** Forgets the key if it was last accepted at or before `upTo` (an erasure). */
  forget(hi: number, lo: number, upTo = Number.POSITIVE_INFINITY): void {
    const slot = this.find(hi, lo);
    if (slot >= 0 && this.at[slot]! <= upTo) this.at[slot] = Number.NEGATIVE_INFINITY;
  }

  /** Drops every key accepted before `since` (and every forgotten one), shrinking the table to fit. */
  prune(since: number): void {
    this.rehash(Math.max(1024, this.countSince(since) * 2), since);
  }

  /** Keys held, forgotten ones included until the next `prune`. */
  get size(): number {
    return this.used;
  }

  /** Slot holding the key, or the bitwise complement of the empty slot where it would go. */
  private find(hi: number, lo: number): number {
    const mask = this.at.length - 1;
    for (let slot = (lo ^ Math.imul(hi, 0x9e3779b1)) & mask; ; slot = (slot + 1) & mask) {
      const at = this.at[slot]!;
      if (Number.isNaN(at)) return ~slot;
      if (this.lo[slot] === lo && this.hi[slot] === hi) return slot;
    }
  }

  private countSince(since: number): number {
    let n = 0;
    for (const at of this.at) if (at >= since) n++;
    return n;
  }

  private grow(): void {
    this.rehash(this.at.length * 2, Number.NEGATIVE_INFINITY);
  }

  private rehash(minCapacity: number, since: number): void {
    const { hi, lo, at } = this;
    this.allocate(minCapacity);
    for (let slot = 0; slot < at.length; slot++) {
      const when = at[slot]!;
      // Forgotten keys (-Infinity) survive growth, so an erasure stays in force until a prune.
      if (Number.isNaN(when) || (when < since && since !== Number.NEGATIVE_INFINITY)) continue;
      const target = ~this.find(hi[slot]!, lo[slot]!);
      this.hi[target] = hi[slot]!;
      this.lo[target] = lo[slot]!;
      this.at[target] = when;
      this.used++;
    }
  }

  private allocate(minCapacity: number): void {
    let capacity = 1024;
    while (capacity < minCapacity) capacity *= 2;
    this.hi = new Uint32Array(capacity);
    this.lo = new Uint32Array(capacity);
    this.at = new Float64Array(capacity).fill(Number.NaN);
    this.used = 0;
  }
}

/** Two 32-bit halves of a 64-bit hash of a string (cyrb53's mixing, both lanes kept whole). */
export function hashMessageId(id: string): { hi: number; lo: number } {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return { hi: h2 >>> 0, lo: h1 >>> 0 };
}

/**
 * Dedupe keys as `dedupe_keys` stores them: one blob per append, each key 8 bytes (hi, lo as
 * little-endian 32-bit words), so that an append logs its keys in one row whatever their number.
 * @example packKeys([hi1, lo1, hi2, lo2]).length === 16
 */
export function packKeys(halves: readonly number[]): Buffer {
  const blob = Buffer.allocUnsafe(halves.length * 4);
  for (let i = 0; i < halves.length; i++) blob.writeUInt32LE(halves[i]!, i * 4);
  return blob;
}

/** Calls `each` with every key of a blob made by `packKeys`, in order. */
export function forEachPackedKey(blob: Uint8Array, each: (hi: number, lo: number) => void): void {
  const view = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  for (let offset = 0; offset + 8 <= view.length; offset += 8)
    each(view.readUInt32LE(offset), view.readUInt32LE(offset + 4));
}
