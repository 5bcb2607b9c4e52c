import type { InboundMessage } from './inbound-message.js';

/** `context.library.name` of the events Orkestra writes itself (consent, tracking, receipts, segments). */
export const ORKESTRA_LIBRARY = 'orkestra';

/** The event that drops a dead push token from a profile (written by the dispatcher). */
export const PUSH_TOKEN_INVALIDATED = 'Push Token Invalidated';

/**
 * Whether Orkestra wrote this message itself: such events are not the person's activity, so they do
 * not move the profile's last channel or last-seen time.
 * @example isInternalMessage({ ...m, context: { library: { name: 'orkestra' } } }) // true
 */
export function isInternalMessage(message: Pick<InboundMessage, 'context'>): boolean {
  const library = (message.context as { library?: { name?: unknown } } | undefined)?.library;
  return library?.name === ORKESTRA_LIBRARY;
}

/**
 * A track event Orkestra writes itself (segment changes, RFM changes, API starts, webhook responses,
 * consent and delivery outcomes): marked with `context.library.name = 'orkestra'`, timestamped `at`.
 * @example internalTrack({ event: 'Segment Entered', messageId: 'seg:x', person: { userId: 'ada' }, properties: {}, at })
 */
export function internalTrack(e: {
  readonly event: string;
  readonly messageId: string;
  readonly person: { readonly userId?: string | undefined; readonly anonymousId?: string | undefined };
  readonly properties: Record<string, unknown>;
  readonly at: number;
}): InboundMessage {
  const iso = new Date(e.at).toISOString();
  return {
    type: 'track',
    event: e.event,
    messageId: e.messageId,
    ...(e.person.userId !== undefined ? { userId: e.person.userId } : {}),
    ...(e.person.anonymousId !== undefined ? { anonymousId: e.person.anonymousId } : {}),
    properties: e.properties,
    context: { library: { name: ORKESTRA_LIBRARY, version: '0.1.0' } },
    timestamp: iso,
    receivedAt: iso,
  };
}
