import type { RenderedInApp } from '../../core/channels/rendered-message.js';
import { accepted, retryable, type ChannelProvider, type Clock } from '../channel.js';

/** One message in a person's in-app inbox. */
export interface InboxEntry {
  readonly id: string;
  readonly profileId: string;
  /** The send's idempotency key: adding the same key twice keeps one entry. */
  readonly idempotencyKey: string;
  readonly content: RenderedInApp;
  readonly createdAt: number;
  readonly expiresAt?: number;
  readonly readAt?: number;
}

/**
 * The store-backed inbox that apps and sites read (list, mark read, live stream via server-sent
 * events). Interface only: the store implements it, the server exposes it.
 */
export interface InAppInbox {
  /** Adds an entry; idempotent on `idempotencyKey`. Returns the entry's id. */
  add(entry: Omit<InboxEntry, 'id' | 'readAt'>): Promise<{ readonly id: string }>;
  /** Newest first; expired entries are left out. */
  list(
    profileId: string,
    query: {
      readonly now: number;
      readonly unreadOnly?: boolean;
      readonly limit?: number;
      readonly before?: number;
    },
  ): Promise<readonly InboxEntry[]>;
  /** Unread entries that have not expired. */
  countUnread(profileId: string, now: number): Promise<number>;
  /** Marks these entries of the profile read (once: a second call keeps the first time). */
  markRead(profileId: string, ids: readonly string[], at: number): Promise<void>;
  /** Live updates for one profile (for SSE); returns the unsubscribe function. */
  subscribe(profileId: string, listener: (entry: InboxEntry) => void): () => void;
}

const MS_PER_HOUR = 3_600_000;

/**
 * The in-app channel: a thin adapter that writes the rendered message into the inbox.
 *
 * @example createInboxInApp(store.inbox)
 */
export function createInboxInApp(inbox: InAppInbox, options: { now?: Clock } = {}): ChannelProvider<'inapp'> {
  const now = options.now ?? Date.now;
  return {
    channel: 'inapp',
    name: 'inbox',
    idempotent: true,
    async send(message) {
      const createdAt = now();
      const hours = message.content.expiresInHours;
      try {
        const { id } = await inbox.add({
          profileId: message.to,
          idempotencyKey: message.idempotencyKey,
          content: message.content,
          createdAt,
          ...(hours ? { expiresAt: createdAt + hours * MS_PER_HOUR } : {}),
        });
        return accepted(id);
      } catch (e) {
        return retryable(`inbox: ${(e as Error).message}`);
      }
    },
  };
}
