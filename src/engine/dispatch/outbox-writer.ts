import type { EpochMs } from '../../core/brand.js';
import type { DeliveryUpdate, OutboxStore, SendingChoice } from '../../store/store.js';

/**
 * Group commit for delivery outcomes: updates made in the same turn of the event loop are written in
 * one transaction (`updateMany`), and each caller's promise settles when that transaction has. Under
 * load, hundreds of sends finishing together cost one commit instead of hundreds.
 * @example const write = createOutboxWriter(outbox); await write(id, { status: 'sent', event });
 */
export function createOutboxWriter(outbox: Pick<OutboxStore, 'updateMany'>) {
  let pending: { id: number; change: DeliveryUpdate }[] = [];
  let flush: Promise<void> | undefined;
  return (id: number, change: DeliveryUpdate): Promise<void> => {
    pending.push({ id, change });
    flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = pending;
      pending = [];
      flush = undefined;
      return outbox.updateMany(batch);
    });
    return flush;
  };
}

/**
 * Group commit for claims: each send marks its delivery `sending` just before its provider call (so
 * a delivery waiting in a lane's queue is still `pending`), and the sends that start in the same turn
 * of the event loop share one transaction (`markSendingMany`). Resolves to whether it was still pending.
 * @example const claim = createClaimWriter(outbox, clock); if (await claim(id, choice)) await provider.send(m);
 */
export function createClaimWriter(outbox: Pick<OutboxStore, 'markSendingMany'>, clock: () => EpochMs) {
  let pending: { id: number; choice: SendingChoice }[] = [];
  let flush: Promise<Set<number>> | undefined;
  return async (id: number, choice: SendingChoice): Promise<boolean> => {
    pending.push({ id, choice });
    flush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      const batch = pending;
      pending = [];
      flush = undefined;
      return outbox.markSendingMany(batch, clock());
    });
    return (await flush).has(id);
  };
}
