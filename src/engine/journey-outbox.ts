import type { SendRecord } from '../core/journeys/journey-write.js';
import type { PlannedSend } from '../store/store.js';

/**
 * The one place a journey's planned message becomes an outbox row for the dispatcher. The built-in
 * `log` channel stays in the journey send log only, as do webhook calls (not dispatched yet).
 * `templateVersion: 0` asks for the version live when the step ran, fixed by the outbox insert.
 * @example toPlannedSend(send) // { idempotencyKey: 'run_1:reminder:email', channel: 'email', … }
 */
export function toPlannedSend(send: SendRecord): PlannedSend | undefined {
  if (send.kind !== 'message' || send.channel === 'log' || send.channel === 'webhook') return undefined;
  return {
    idempotencyKey: send.idempotencyKey,
    profileId: send.profileId,
    channel: send.channel,
    templateId: send.target,
    templateVersion: 0,
    category: send.category,
    // The journey rides along for tracking events (`Email Link Clicked.journeyId`) and per-journey UTM.
    context: { ...send.context, journeyId: send.journeyId },
    plannedAt: send.at,
  };
}

/** Outbox rows of a batch's sends. */
export const toPlannedSends = (sends: readonly SendRecord[]): PlannedSend[] =>
  sends.flatMap((s) => toPlannedSend(s) ?? []);
