import { hashString } from '../random.js';
import type { NodeOf } from './nodes.js';

/** MurmurHash3's finaliser: FNV-1a alone leaves nearby ids (`run_1`, `run_2`) in nearby buckets. */
function mix(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The branch of a random split for a run: a stable draw from a hash of `runId:nodeId`, so a replay,
 * a retry after a crash and a simulation all agree without sharing a random source. The holdout takes
 * its weight like any variant.
 * @example assignBranch({ variants: [{ key: 'a', weight: 1 }, { key: 'b', weight: 1 }], holdout: 0, … }, 'run_1')
 */
export function assignBranch(node: NodeOf<'random_split'>, runId: string): string {
  const slots = [...node.variants, ...(node.holdout > 0 ? [{ key: 'holdout', weight: node.holdout }] : [])];
  const total = slots.reduce((sum, s) => sum + s.weight, 0);
  let point = (mix(hashString(`${runId}:${node.id}`)) / 4294967296) * total;
  for (const slot of slots) {
    if (point < slot.weight) return slot.key;
    point -= slot.weight;
  }
  return slots[slots.length - 1]!.key;
}
