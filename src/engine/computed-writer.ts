import type { EpochMs, ProfileId } from '../core/brand.js';
import type { InboundMessage } from '../core/messages/inbound-message.js';
import type { Profile } from '../core/profiles/profile.js';
import type { ResolvedEvent } from '../core/profiles/resolve-batch.js';
import { applySegmentsToBatch } from '../core/segments/apply-to-batch.js';
import type { Store } from '../store/store.js';
import type { EngineHandle } from './profile-engine.js';

/** What a job makes of one profile: its new state and, optionally, an internal event to record. */
export interface ComputedUpdate {
  readonly profile: Profile;
  readonly event?: InboundMessage;
}

export interface ComputedWriterDeps {
  readonly store: Store;
  readonly engine: EngineHandle;
  readonly clock: () => EpochMs;
}

/** Profiles per transaction: small enough that ingest waits for no more than a moment between chunks. */
const CHUNK = 1000;

/**
 * Writes job results (RFM scores, predicted value) into profiles through the engine's exclusive
 * lane, one chunk per transaction, so a job never races the inbox consumer on a profile. Each profile
 * is reloaded inside the lane and `update` applied to its current state (undefined: no change). The
 * changed profiles' segments are re-evaluated in the same transaction, and the jobs' events are
 * stored on their timelines and folded into segment state like any event.
 * @returns the number of profiles changed
 * @example await writeComputed(deps, ids, (p, now) => applyPredictedValue(p, values.get(p.id)));
 */
export async function writeComputed(
  deps: ComputedWriterDeps,
  ids: readonly ProfileId[],
  update: (profile: Profile, now: EpochMs) => ComputedUpdate | undefined,
): Promise<number> {
  const { store, engine, clock } = deps;
  let changed = 0;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    changed += await engine.exclusive(async () => {
      const now = clock();
      const profiles = await store.loadProfiles(chunk);
      const updated: Profile[] = [];
      const events: ResolvedEvent[] = [];
      for (const profile of profiles.values()) {
        const result = update(profile, now);
        if (!result) continue;
        updated.push(result.profile);
        if (result.event)
          events.push({ seq: 0, profileId: profile.id, message: result.event, timestamp: now });
      }
      if (updated.length === 0) return 0;
      const plan = { merges: [], identities: new Map(), events, profiles: updated };
      await store.commitBatch(applySegmentsToBatch(plan, engine.segments, now));
      return updated.length;
    });
  }
  return changed;
}
