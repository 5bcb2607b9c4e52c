import type { InboundMessage } from '../messages/inbound-message.js';
import { internalTrack } from '../messages/internal-message.js';
import type { JourneyEvent } from './run-state.js';

/**
 * A webhook node's response travels back to its run as an internal track event through the inbox,
 * like an API start, so it is applied in order with the person's other inputs (one writer per
 * person). Its `messageId` derives from the call's idempotency key: a response delivered twice (the
 * dispatcher crashed before recording it) is deduplicated by the inbox, and a late one finds the
 * run's wait token gone and changes nothing.
 */
export const WEBHOOK_RESPONSE_EVENT = 'Journey Webhook Responded';

/** What a webhook call answered, for the run that waits for it. */
export interface WebhookResponse {
  readonly runId: string;
  readonly token: number;
  readonly idempotencyKey: string;
  /** The parsed JSON body (`null` when the body was empty or not JSON). */
  readonly body: unknown;
  readonly status: number;
}

/**
 * The internal event carrying a webhook response, for a person named by `userId` or `anonymousId`.
 * @example webhookResponseMessage({ runId, token: 2, idempotencyKey, body: { tier: 'gold' }, status: 200 }, { userId: 'ada' }, now)
 */
export function webhookResponseMessage(
  response: WebhookResponse,
  person: { readonly userId?: string; readonly anonymousId?: string },
  now: number,
): InboundMessage {
  return internalTrack({
    event: WEBHOOK_RESPONSE_EVENT,
    messageId: `journey-webhook:${response.idempotencyKey}`,
    person,
    properties: {
      runId: response.runId,
      token: response.token,
      status: response.status,
      body: response.body,
    },
    at: now,
  });
}

/** The webhook response an internal event carries, if it is one. */
export function readWebhookResponse(
  event: JourneyEvent,
): { readonly runId: string; readonly token: number; readonly body: unknown } | undefined {
  if (event.event !== WEBHOOK_RESPONSE_EVENT) return undefined;
  const { runId, token, body } = event.properties;
  if (typeof runId !== 'string' || typeof token !== 'number') return undefined;
  return { runId, token, body: body ?? null };
}
