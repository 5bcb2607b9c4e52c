import type { InboundMessage } from '../messages/inbound-message.js';
import { internalTrack } from '../messages/internal-message.js';
import { hashString } from '../random.js';
import type { JourneyEvent } from './run-state.js';

/**
 * A start through the API (`POST /api/journeys/:id/runs`) travels as an internal track event through
 * the inbox, like every other input of a person, so it is applied in order with the person's events
 * (one writer per person). Its `messageId` derives from the idempotency key, so a retried request is
 * deduplicated by the inbox; the run id derives from it too, so even a late duplicate starts nothing.
 */
export const API_START_EVENT = 'Journey Run Requested';

/** What an API start asks for. */
export interface ApiStartRequest {
  readonly journeyId: string;
  readonly idempotencyKey: string;
  readonly context: Readonly<Record<string, unknown>>;
}

/** The run id an API start gets: stable for a journey and idempotency key. @example apiRunId('welcome', 'k1') */
export function apiRunId(journeyId: string, idempotencyKey: string): string {
  const h = (s: string): string => hashString(s).toString(36).padStart(7, '0');
  return `run_api_${h(`${journeyId}\n${idempotencyKey}`)}${h(`${idempotencyKey}\n${journeyId}`)}`;
}

/**
 * The internal event of an API start, for a person named by `userId` or `anonymousId`.
 * @example apiStartMessage({ journeyId: 'welcome', idempotencyKey: 'k1', context: {} }, { userId: 'ada' }, now)
 */
export function apiStartMessage(
  request: ApiStartRequest,
  person: { readonly userId?: string; readonly anonymousId?: string },
  now: number,
): InboundMessage {
  return internalTrack({
    event: API_START_EVENT,
    messageId: `journey-run:${apiRunId(request.journeyId, request.idempotencyKey)}`,
    person,
    properties: {
      journeyId: request.journeyId,
      idempotencyKey: request.idempotencyKey,
      runId: apiRunId(request.journeyId, request.idempotencyKey),
      context: request.context,
    },
    at: now,
  });
}

/** The API start an internal event carries, if it is one. */
export function readApiStart(event: JourneyEvent):
  | {
      readonly journeyId: string;
      readonly runId: string;
      readonly context: Readonly<Record<string, unknown>>;
    }
  | undefined {
  if (event.event !== API_START_EVENT) return undefined;
  const { journeyId, runId, context } = event.properties;
  if (typeof journeyId !== 'string' || typeof runId !== 'string') return undefined;
  const payload = typeof context === 'object' && context !== null ? (context as Record<string, unknown>) : {};
  return { journeyId, runId, context: payload };
}
