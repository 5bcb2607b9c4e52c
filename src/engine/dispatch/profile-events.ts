import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { InboxEntry, Store } from '../../store/store.js';

/** An event about a profile that Orkestra itself observed (a receipt, an open, an unsubscribe). */
export interface ProfileEvent {
  readonly profileId: ProfileId;
  /** Segment's name where one exists: `Email Opened`, `Unsubscribed`, ... */
  readonly event: string;
  readonly properties: Readonly<Record<string, unknown>>;
  /** Deterministic, so a repeated webhook or click is deduplicated by the inbox. */
  readonly messageId: string;
  readonly at: EpochMs;
}

export type EmitProfileEvent = (event: ProfileEvent) => Promise<boolean>;

/**
 * Emits events through the inbox, like any source, so they reach the profile's timeline, segments
 * and journeys in order with everything else. The event names the person by the profile's `userId`
 * (else an `anonymousId`), since inbox messages carry Segment identities, not internal ids.
 * @example const emit = createProfileEventEmitter({ store, append: (e) => committer.append(e) });
 */
export function createProfileEventEmitter(deps: {
  store: Pick<Store, 'getProfile'>;
  append: (entries: readonly InboxEntry[]) => Promise<unknown>;
}): EmitProfileEvent {
  return async (e) => {
    const record = await deps.store.getProfile(e.profileId);
    if (!record) return false;
    const userId = record.profile.userIds[0] ?? record.identities.find((i) => i.kind === 'user_id')?.value;
    const anonymousId = record.identities.find((i) => i.kind === 'anonymous_id')?.value;
    if (userId === undefined && anonymousId === undefined) return false;
    const iso = new Date(e.at).toISOString();
    const message: InboundMessage = {
      type: 'track',
      messageId: e.messageId,
      ...(userId !== undefined ? { userId } : { anonymousId: anonymousId! }),
      event: e.event,
      properties: { ...e.properties },
      context: { library: { name: 'orkestra' } },
      timestamp: iso,
      receivedAt: iso,
    };
    await deps.append([{ kind: 'message', message }]);
    return true;
  };
}
