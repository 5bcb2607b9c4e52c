import type { ProfileId } from '../brand.js';
import type { ProfileMerge } from '../profiles/resolve-batch.js';
import type { ProfileJourneyState } from './journey-write.js';

/**
 * Folds the journey state of people merged away in a batch into their survivors', in merge order (so
 * a chain a → b → c ends on c): their runs continue on the survivor within the same batch, as the
 * store moves them in the merge's transaction. The survivor's guard is the one the commit checks.
 * @example foldMergedStates(states, [{ from: anon, into: known, ... }]).get(known)!.runs
 */
export function foldMergedStates(
  states: ReadonlyMap<ProfileId, ProfileJourneyState>,
  merges: readonly Pick<ProfileMerge, 'from' | 'into'>[],
): Map<ProfileId, ProfileJourneyState> {
  const out = new Map(states);
  for (const m of merges) {
    const loser = out.get(m.from);
    const survivor = out.get(m.into);
    out.delete(m.from);
    if (!loser || !survivor || (loser.heads.length === 0 && loser.recentSends.length === 0)) continue;
    out.set(m.into, {
      ...survivor,
      runs: [...survivor.runs, ...loser.runs.map((r) => ({ ...r, profileId: m.into }))],
      heads: [...survivor.heads, ...loser.heads],
      recentSends: [...survivor.recentSends, ...loser.recentSends],
    });
  }
  return out;
}
