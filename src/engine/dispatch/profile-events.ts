import type { EpochMs, ProfileId } from '../../core/brand.js';
import { internalTrack, PUSH_TOKEN_INVALIDATED } from '../../core/messages/internal-message.js';
import type { DeliveryRecord, InboxEntry, Store } from '../../store/store.js';

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
    const message = internalTrack({
      event: e.event,
      messageId: e.messageId,
      person: userId !== undefined ? { userId } : { anonymousId },
      properties: { ...e.properties },
      at: e.at,
    });
    await deps.append([{ kind: 'message', message }]);
    return true;
  };
}

/**
 * A provider said a push token or web push subscription is dead (FCM `UNREGISTERED`, APNs 410, web
 * push 404/410): the removal goes through the inbox as an event, so the engine applies it in order with
 * the app's own token updates, never as a write racing the engine.
 * @example createTokenInvalidator({ emit, clock })(delivery, token)
 */
export function createTokenInvalidator(deps: { emit: EmitProfileEvent; clock: () => EpochMs }) {
  return async (d: DeliveryRecord, token: string): Promise<void> => {
    await deps.emit({
      profileId: d.profileId,
      event: PUSH_TOKEN_INVALIDATED,
      properties: { token, deliveryId: d.id, idempotencyKey: d.idempotencyKey, provider: d.provider ?? null },
      messageId: `orkestra:token:${d.idempotencyKey}:${token.slice(-32)}`,
      at: deps.clock(),
    });
  };
}
