import type { EpochMs } from '../core/brand.js';
import { standardWebhookHeaders } from '../core/channels/standard-webhooks.js';
import { webhookResponseMessage } from '../core/journeys/webhook-response.js';
import { parseJson, sendHttp } from '../channels/http/send-http.js';
import { hmacSigner, webhookIdFor } from '../channels/webhook/standard-webhook.js';
import type { JourneyWebhookCall, WebhookCallOutcome } from '../store/journey-store.js';
import type { InboxEntry, Store } from '../store/store.js';
import { personOfProfile } from './journey-person.js';

export interface JourneyWebhookDispatcherOptions {
  readonly store: Store;
  /** Appends to the inbox (the group committer's `append`), for responses runs wait for. */
  readonly append: (entries: readonly InboxEntry[]) => Promise<unknown>;
  readonly clock: () => EpochMs;
  /** `whsec_…` signing secrets, the current one first. */
  readonly secrets: readonly string[];
  /** Per call. Default 15 s (the spec recommends 15–30 s). */
  readonly timeoutMs?: number;
  /** Attempts before a call is given up (its run then times out at the node). Default 5. */
  readonly maxAttempts?: number;
  /** How often to look for calls. Default 500 ms. */
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
}

/** Backoff after the n-th failed attempt: 10 s, 40 s, 160 s, … at most an hour. */
const backoffMs = (attempt: number): number => Math.min(3_600_000, 10_000 * 4 ** (attempt - 1));

/**
 * Makes the webhook calls journeys plan (`call_webhook`), from the main thread: each signed per
 * Standard Webhooks v1 with the call's idempotency key as `webhook-id` (the same on every retry, so the
 * receiver can deduplicate), and, when the run waits for it, the JSON response fed back to the run as
 * a `webhook_response` input through the inbox. 2xx is success; anything else is retried with backoff.
 * @example const hooks = new JourneyWebhookDispatcher({ store, append, clock, secrets }); hooks.start();
 */
export class JourneyWebhookDispatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;

  constructor(private readonly options: JourneyWebhookDispatcherOptions) {}

  start(): void {
    this.timer = setInterval(
      () => void this.runOnce().catch(this.options.onError ?? console.error),
      this.options.pollMs ?? 500,
    );
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  /** Makes every call due now (one pass; a pass already running is joined). Returns how many. */
  runOnce(): Promise<number> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<number> {
    const { store, clock } = this.options;
    const calls = await store.pendingJourneyWebhooks(clock(), 50);
    await Promise.all(calls.map(async (c) => store.settleJourneyWebhook(c.id, await this.call(c))));
    return calls.length;
  }

  private async call(c: JourneyWebhookCall): Promise<WebhookCallOutcome> {
    const { clock } = this.options;
    const body = c.method === 'GET' || c.method === 'DELETE' ? undefined : JSON.stringify(c.body ?? {});
    const signed = standardWebhookHeaders(
      { id: webhookIdFor(c.idempotencyKey), timestamp: Math.floor(clock() / 1000), body: body ?? '' },
      this.options.secrets.map(hmacSigner),
    );
    const r = await sendHttp({
      url: c.url,
      method: c.method,
      headers: { 'content-type': 'application/json', ...c.headers, ...signed },
      ...(body !== undefined ? { body } : {}),
      timeoutMs: this.options.timeoutMs ?? 15_000,
    });
    const status = r.ok ? r.response.status : 0;
    if (!r.ok || status < 200 || status >= 300) {
      const error = r.ok ? `HTTP ${status}` : r.error;
      if (c.attempts + 1 >= (this.options.maxAttempts ?? 5)) return { status: 'failed', error };
      return { status: 'pending', retryAt: (clock() + backoffMs(c.attempts + 1)) as EpochMs, error };
    }
    if (c.token === undefined) return { status: 'done' };
    const person = await personOfProfile(this.options.store, c.profileId);
    if (!person) return { status: 'failed', error: 'the profile has no user or anonymous id to answer to' };
    const response = { runId: c.runId, token: c.token, idempotencyKey: c.idempotencyKey, status };
    const message = webhookResponseMessage(
      { ...response, body: parseJson(r.response.text) ?? null },
      person,
      clock(),
    );
    await this.options.append([{ kind: 'message', message }]);
    return { status: 'done' };
  }
}
