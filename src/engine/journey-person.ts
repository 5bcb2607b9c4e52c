import type { ProfileId } from '../core/brand.js';
import type { Store } from '../store/store.js';

/** How an internal inbox message names a person: a user id, else an anonymous id. */
export type InboxPerson = { readonly userId?: string; readonly anonymousId?: string };

/**
 * The identity an internal message (an API start, a webhook response) can carry for a stored
 * profile: its first user id, else an anonymous id; undefined when it has neither.
 * @example await personOfProfile(store, 'p_1') // { userId: 'ada' }
 */
export async function personOfProfile(
  store: Pick<Store, 'getProfile'>,
  profileId: ProfileId,
): Promise<InboxPerson | undefined> {
  const record = await store.getProfile(profileId);
  const userId = record?.profile.userIds[0];
  const anonymousId = record?.identities.find((i) => i.kind === 'anonymous_id')?.value;
  return userId !== undefined ? { userId } : anonymousId !== undefined ? { anonymousId } : undefined;
}
