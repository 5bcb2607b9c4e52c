/**
 * A seeded random source. The core never calls `Math.random`; callers pass one of these in,
 * so that every run can be replayed from its seed (ARCHITECTURE.md invariant 4).
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
}

/**
 * sfc32 seeded through splitmix32: fast, 128 bits of state, good statistical quality for simulation.
 * @example const rng = createRandom(42); rng.next(); // 0.…
 */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const splitmix = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  return {
    next() {
      const t = (((a + b) >>> 0) + d) >>> 0;
      d = (d + 1) >>> 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) >>> 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) >>> 0;
      return t / 4294967296;
    },
  };
}

/** An integer in [min, max], both inclusive. */
export const randomInt = (rng: Random, min: number, max: number): number =>
  min + Math.floor(rng.next() * (max - min + 1));

/** One element of a non-empty list. */
export function pick<T>(rng: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick from an empty list');
  return items[Math.floor(rng.next() * items.length)] as T;
}

/** A stable 32-bit hash of a string (FNV-1a), for seeds and stable buckets. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
