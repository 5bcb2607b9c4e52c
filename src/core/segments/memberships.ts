import type { ProfileId } from '../brand.js';

/** A person entering or leaving a segment at a moment. */
export interface MembershipChange {
  readonly segmentId: string;
  readonly profileId: ProfileId;
  readonly entered: boolean;
  readonly at: number;
}

const isAscending = (ids: readonly string[]): boolean => ids.every((id, i) => i === 0 || ids[i - 1]! < id);

/**
 * Who enters and who leaves when a segment's members go from `current` to `wanted`. Lists in strictly
 * ascending order (as SQL returns them by primary key) are merged in one pass, without hashing a
 * million ids; any other order falls back to sets.
 * @example diffMembers(['a', 'c'], ['a', 'b']) // { size: 2, entering: ['c'], leaving: ['b'] }
 */
export function diffMembers<T extends string>(
  wanted: readonly T[],
  current: readonly T[],
): { size: number; entering: T[]; leaving: T[] } {
  if (!isAscending(wanted) || !isAscending(current)) {
    const w = new Set(wanted);
    const c = new Set(current);
    return {
      size: w.size,
      entering: [...w].filter((id) => !c.has(id)),
      leaving: [...c].filter((id) => !w.has(id)),
    };
  }
  const entering: T[] = [];
  const leaving: T[] = [];
  let i = 0;
  let j = 0;
  while (i < wanted.length || j < current.length) {
    const w = wanted[i];
    const c = current[j];
    if (c === undefined || (w !== undefined && w < c)) entering.push(wanted[i++]!);
    else if (w === undefined || c < w) leaving.push(current[j++]!);
    else {
      i++;
      j++;
    }
  }
  return { size: wanted.length, entering, leaving };
}
