import type { OutboundMessage, SendOutcome } from '../../channels/channel.js';
import type { CompiledTemplate } from '../../channels/render/compile-template.js';
import type { MessageRenderer } from '../../channels/render/render-message.js';
import type { EpochMs } from '../../core/brand.js';
import type { RenderedContent } from '../../core/channels/rendered-message.js';
import type { Profile } from '../../core/profiles/profile.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import type { DeliveryRecord, DeliveryUpdate, SendingChoice } from '../../store/store.js';
import type { ChannelDecision } from './choose-channel.js';
import type { ProviderLane } from './provider-lane.js';
import { retryDelay, type RetryPolicy } from './retry-policy.js';

/** What a decoration sees besides the content: the delivery, the person and the template version. */
export interface DecorateInput {
  readonly delivery: DeliveryRecord;
  readonly profile: Profile;
  readonly template: CompiledTemplate;
}

/** Adds what the dispatcher owns to rendered content: unsubscribe headers, tracking links. */
export type Decorate = (
  content: RenderedContent,
  input: DecorateInput,
) => RenderedContent | Promise<RenderedContent>;

/**
 * Applies decorations in order.
 * @example const decorate = composeDecorators(unsubscribeHeaders, tracking.decorate);
 */
export function composeDecorators(...all: readonly Decorate[]): Decorate {
  return async (content, input) => {
    let out = content;
    for (const d of all) out = await d(out, input);
    return out;
  };
}

/** What a send job needs besides the delivery itself. */
export interface SendJobContext {
  /** Writes a delivery's change (batched with others finishing at the same moment). */
  readonly update: (id: number, change: DeliveryUpdate) => Promise<void>;
  /** Marks a pending delivery `sending` before its provider call; false when it no longer was pending. */
  readonly claim: (id: number, choice: SendingChoice) => Promise<boolean>;
  readonly renderer: MessageRenderer;
  readonly template: (id: string, version: number) => Promise<CompiledTemplate | undefined>;
  readonly decorate?: Decorate | undefined;
  /** More Liquid `context` for a delivery on a channel (unsubscribe and preference links). */
  readonly extraContext?:
    ((delivery: DeliveryRecord, channel: MessageChannel) => Record<string, unknown>) | undefined;
  /** A provider said the push token or subscription is dead. */
  readonly onInvalidToken?: ((delivery: DeliveryRecord, address: string) => Promise<void>) | undefined;
  readonly clock: () => EpochMs;
  readonly random: () => number;
  readonly retry: RetryPolicy;
}

type Chosen = Extract<ChannelDecision, { ok: true }>;

/** Header that carries the idempotency key inside every email (SES and SendGrid pass it through). */
export const IDEMPOTENCY_HEADER = 'X-Orkestra-Idempotency-Key';

/**
 * Renders and sends one delivery on its lane. The delivery is marked `sending` (durably, with the
 * attempt counted; sends starting together share the transaction) before the provider call, so a
 * crash during the call is found by `reconcile`. A send in doubt (a crash during the call, or a
 * connection lost after the request left) is resent with the same idempotency key only on a provider
 * that drops repeats (`ChannelProvider.idempotent`: Twilio's `I-Twilio-Idempotency-Token`, Standard
 * Webhooks' `webhook-id`); on the others (SMTP, SES, SendGrid, push) it becomes `unknown`, for an
 * operator to replay. Either way at most one message per key reaches the person. Resolves to whether
 * the provider looked healthy, for the circuit breaker.
 */
export async function runSendJob(
  ctx: SendJobContext,
  job: {
    delivery: DeliveryRecord;
    profile: Profile;
    decision: Chosen;
    lane: ProviderLane;
  },
): Promise<boolean> {
  const { delivery: d, profile, decision, lane } = job;
  const dead = (status: string, error: string) =>
    ctx.update(d.id, { status: 'dead', error, event: { status, at: ctx.clock(), detail: error } });
  if (d.templateVersion === 0) {
    await dead('dead', `template ${d.templateId} had no version when the send was planned`);
    return true;
  }
  const compiled = await ctx.template(d.templateId, d.templateVersion);
  if (!compiled) {
    await dead('dead', `template ${d.templateId} v${d.templateVersion} not found`);
    return true;
  }
  const context = { ...d.context, ...ctx.extraContext?.(d, decision.channel) };
  const data = { profile, traits: profile.traits, event: d.context?.event, context };
  const rendered = await ctx.renderer.renderMessage(
    compiled,
    decision.channel,
    profile.traits.locale as string,
    data,
  );
  if (!rendered.ok) {
    await dead('dead', `${rendered.error.code}: ${rendered.error.message}`);
    return true;
  }
  let content: RenderedContent = ctx.decorate
    ? await ctx.decorate(rendered.value, { delivery: d, profile, template: compiled })
    : rendered.value;
  if (content.channel === 'email')
    content = { ...content, headers: { ...content.headers, [IDEMPOTENCY_HEADER]: d.idempotencyKey } };
  const choice = {
    chosenChannel: decision.channel,
    provider: lane.provider.name,
    // A timed fallback keeps the reason it was planned for (`fallback: email not delivered within 30 min`).
    reason: d.fallbackOf !== undefined && d.reason ? d.reason : decision.reason,
    address: decision.address.key,
  };
  if (!(await ctx.claim(d.id, choice))) return true;
  const message = {
    idempotencyKey: d.idempotencyKey,
    channel: decision.channel,
    to: decision.address.to,
    content,
  } as OutboundMessage;
  let outcome: SendOutcome;
  try {
    outcome = await lane.provider.send(message);
  } catch (e) {
    outcome = { status: 'failed', retryable: true, reason: `provider threw: ${(e as Error).message}` };
  }
  // The delivery as claimed (channel, provider), so `Push Token Invalidated` names the provider.
  await record(ctx, { ...d, ...choice }, outcome, decision.address.key, lane.provider.idempotent === true);
  return outcome.status === 'accepted' || !outcome.retryable;
}

async function record(
  ctx: SendJobContext,
  d: DeliveryRecord,
  outcome: SendOutcome,
  address: string,
  idempotent: boolean,
) {
  const at = ctx.clock();
  if (outcome.status === 'accepted') {
    await ctx.update(d.id, {
      status: 'sent',
      providerMessageId: outcome.providerMessageId,
      error: null,
      // A list or `best` with a fallback time: the next channel is tried if no delivery is reported.
      ...(d.fallbackAfterMs !== undefined && (typeof d.channel !== 'string' || d.channel === 'best')
        ? { fallbackAt: (at + d.fallbackAfterMs) as EpochMs }
        : {}),
      event: { status: 'accepted', at, detail: outcome.providerMessageId },
    });
    return;
  }
  const attempts = d.attempts + 1;
  if (outcome.invalidToken) await ctx.onInvalidToken?.(d, address);
  if (outcome.retryable && outcome.inDoubt && !idempotent) {
    // The provider may have the message; it would not recognise a second request as a repeat.
    const why = `in doubt: ${outcome.reason}; not resent by itself (replay after checking)`;
    await ctx.update(d.id, { status: 'unknown', error: why, event: { status: 'unknown', at, detail: why } });
    return;
  }
  if (outcome.retryable && attempts < ctx.retry.maxAttempts) {
    const delay = retryDelay(attempts, ctx.retry, ctx.random, outcome.retryAfterMs);
    await ctx.update(d.id, {
      status: 'pending',
      nextAttemptAt: (at + delay) as EpochMs,
      error: outcome.reason,
      event: { status: 'retry', at, detail: `${outcome.reason}; next in ${delay} ms` },
    });
    return;
  }
  const why = outcome.retryable ? `gave up after ${attempts} attempts: ${outcome.reason}` : outcome.reason;
  await ctx.update(d.id, { status: 'dead', error: why, event: { status: 'dead', at, detail: why } });
}
