import type { EpochMs } from '../../core/brand.js';
import { outcomeEventName, type ProviderOutcome } from '../../core/channels/provider-outcome.js';
import type { ConsentStore, OutboxStore } from '../../store/store.js';
import type { EmitProfileEvent } from './profile-events.js';

/** What applying one outcome did: the delivery it matched, and the addresses it suppressed. */
export interface OutcomeApplied {
  readonly deliveryId?: number;
  readonly suppressed: readonly string[];
  readonly event?: string;
}

/**
 * Applies a provider's report about a message it accepted: the delivery's status history gets the
 * outcome, a permanent bounce or a spam complaint suppresses the address (whether or not Orkestra
 * sent the message), and the person's timeline gets the event under Segment's name
 * (`Email Delivered`, `Email Bounced`, `Email Marked as Spam`, `SMS Failed`). Webhooks are retried
 * by providers, so the event's message id is derived from the report and the inbox drops repeats.
 * @example await outcomes.apply(parseTwilioStatus(form)!);
 */
export class OutcomeService {
  constructor(
    private readonly deps: {
      outbox: OutboxStore;
      consent: ConsentStore;
      emit: EmitProfileEvent;
      clock: () => EpochMs;
    },
  ) {}

  async apply(o: ProviderOutcome): Promise<OutcomeApplied> {
    const at = this.deps.clock();
    const suppressed: string[] = [];
    if (
      o.kind === 'complained' ||
      (o.kind === 'bounced' && o.permanent) ||
      (o.kind === 'failed' && o.permanent)
    )
      for (const address of o.recipients) {
        await this.deps.consent.suppress(
          o.channel,
          address,
          o.kind === 'complained' ? 'complaint' : 'bounce',
          at,
        );
        suppressed.push(address);
      }
    const d = await this.deps.outbox.getByProviderMessageId(o.providerMessageId);
    if (!d) return { suppressed };
    const status = o.kind === 'bounced' && !o.permanent ? 'soft-bounced' : o.kind;
    // Providers repeat a notification they think failed (SNS, SendGrid): record the status once.
    const last = (await this.deps.outbox.history(d.id)).at(-1);
    if (last?.status !== status)
      await this.deps.outbox.update(d.id, {
        event: { status, at, ...(o.detail ? { detail: o.detail } : {}) },
      });
    const event = outcomeEventName(o);
    const journeyId = d.context?.journeyId;
    await this.deps.emit({
      profileId: d.profileId,
      event,
      properties: {
        deliveryId: d.id,
        idempotencyKey: d.idempotencyKey,
        templateId: d.templateId,
        ...(typeof journeyId === 'string' ? { journeyId } : {}),
        provider: o.provider,
        providerMessageId: o.providerMessageId,
        recipients: o.recipients,
        ...(o.kind === 'bounced' ? { bounceType: o.permanent ? 'Permanent' : 'Transient' } : {}),
        ...(o.detail ? { reason: o.detail } : {}),
      },
      messageId: `orkestra:outcome:${o.provider}:${o.providerMessageId}:${o.kind}`,
      at: ((o.timestamp && Date.parse(o.timestamp)) || at) as EpochMs,
    });
    return { deliveryId: d.id, suppressed, event };
  }
}
