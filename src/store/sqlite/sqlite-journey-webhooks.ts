import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { JourneyWebhookCall, WebhookCallOutcome } from '../journey-store.js';

type Row = Record<string, unknown>;

/**
 * The queue of webhook calls journeys planned: a row per `call_webhook` send, added in the run's
 * transaction (an outbox), taken by the main thread's webhook dispatcher, and settled after the call.
 */
export class SqliteJourneyWebhooks {
  private readonly q;

  constructor(db: Database.Database) {
    this.q = {
      add: db.prepare(`INSERT OR IGNORE INTO journey_webhooks (send_id, next_at) VALUES (?, ?)`),
      pending: db.prepare(
        `SELECT w.send_id, w.attempts, s.idempotency_key, s.profile_id, s.run_id, s.node_id, s.target, s.context
         FROM journey_webhooks w JOIN journey_sends s ON s.id = w.send_id
         WHERE w.status = 'pending' AND w.next_at <= ? ORDER BY w.next_at LIMIT ?`,
      ),
      settle: db.prepare(
        `UPDATE journey_webhooks SET status = @status, attempts = attempts + 1, next_at = @nextAt,
           last_error = @error WHERE send_id = @id AND status = 'pending'`,
      ),
    };
  }

  /** Queues a webhook send (by its row id) inside the caller's transaction. */
  add(sendId: number, at: EpochMs): void {
    this.q.add.run(sendId, at);
  }

  pending(now: EpochMs, limit: number): JourneyWebhookCall[] {
    return (this.q.pending.all(now, limit) as Row[]).map((r) => {
      const c = JSON.parse(r.context as string) as {
        method?: string;
        headers?: Record<string, string>;
        body?: unknown;
        token?: number | null;
      };
      return {
        id: r.send_id as number,
        attempts: r.attempts as number,
        idempotencyKey: r.idempotency_key as string,
        profileId: r.profile_id as ProfileId,
        runId: r.run_id as string,
        nodeId: r.node_id as string,
        url: r.target as string,
        method: c.method ?? 'POST',
        headers: c.headers ?? {},
        body: c.body ?? null,
        ...(typeof c.token === 'number' ? { token: c.token } : {}),
      };
    });
  }

  settle(id: number, outcome: WebhookCallOutcome): void {
    this.q.settle.run({
      id,
      status: outcome.status,
      nextAt: outcome.status === 'pending' ? outcome.retryAt : 0,
      error: outcome.status === 'done' ? null : outcome.error,
    });
  }
}
