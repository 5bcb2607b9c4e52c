import type { SendRecord } from '../core/journeys/journey-write.js';
import type { PlannedSend } from '../store/store.js';

/**
 * The one place a journey's planned message becomes an outbox row for the dispatcher. The built-in
 * `log` channel stays in the journey send log only, as do webhook calls (not dispatched yet).
 * `templateVersion: 0` asks for the template's latest version at send time.
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
    context: send.context,
    plannedAt: send.at,
  };
}

/** Outbox rows of a batch's sends. */
export const toPlannedSends = (sends: readonly SendRecord[]): PlannedSend[] =>
  sends.flatMap((s) => toPlannedSend(s) ?? []);
