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
