import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import type {
  ChannelChoice,
  DeliveryEvent,
  DeliveryRecord,
  DeliveryStatus,
  DeliveryUpdate,
  OutboxStore,
  PlannedSend,
  SendCategory,
  SendingChoice,
} from '../store.js';

type Row = Record<string, unknown>;

// `template_version` 0 (a journey step's "the live version") is fixed here, in the transaction that
// plans the send: a run sends the version that was live when its step ran (issue 5), and a later save
// does not change it. It stays 0 only when the template had no version then.
const INSERT_SQL = `INSERT OR IGNORE INTO outbox (idempotency_key, profile_id, channel, template_id,
  template_version, category, topic, context, status, attempts, next_attempt_at, created_at, updated_at,
  fallback_after_ms, fallback_of, reason, journey_id)
  VALUES (@key, @profile, @channel, @template,
    CASE WHEN @version > 0 THEN @version
      ELSE COALESCE((SELECT max(version) FROM templates WHERE id = @template), 0) END,
    @category, @topic, @context, 'pending', 0, @due, @planned, @planned,
    @fallbackAfter, @fallbackOf, @reason, @journey)`;
const HISTORY_SQL = `INSERT INTO delivery_events (outbox_id, status, at, detail) VALUES (?, ?, ?, ?)`;

const statements = new WeakMap<
  Database.Database,
  { insert: Database.Statement; history: Database.Statement }
>();

/**
 * Writes planned sends on `db`, inside the caller's transaction (the engine's `commitBatch`), so a
 * send is planned exactly when the state that caused it commits. `INSERT OR IGNORE` on the unique
 * idempotency key makes a replayed step a no-op.
 * @example db.transaction(() => { ...; insertPlannedSends(db, plan.outbox ?? []); })();
 */
export function insertPlannedSends(db: Database.Database, sends: readonly PlannedSend[]): number {
  if (sends.length === 0) return 0;
  let s = statements.get(db);
  if (!s) {
    s = { insert: db.prepare(INSERT_SQL), history: db.prepare(HISTORY_SQL) };
    statements.set(db, s);
  }
  let inserted = 0;
  for (const p of sends) {
    const due = p.notBefore ?? p.plannedAt;
    const r = s.insert.run({
      key: p.idempotencyKey,
      profile: p.profileId,
      channel: JSON.stringify(p.channel),
      template: p.templateId,
      version: p.templateVersion,
      category: p.category,
      topic: p.topic ?? null,
      context: JSON.stringify(p.context ?? {}),
      due,
      planned: p.plannedAt,
      fallbackAfter: p.fallbackAfterMs ?? null,
      fallbackOf: p.fallbackOf ?? null,
      reason: p.reason ?? null,
      journey: typeof p.context?.journeyId === 'string' ? p.context.journeyId : null,
    });
    if (r.changes === 0) continue;
    inserted++;
    s.history.run(r.lastInsertRowid, 'planned', p.plannedAt, p.reason ?? null);
  }
  return inserted;
}

const opt = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (v as T));

function toRecord(r: Row): DeliveryRecord {
  const fields = {
    chosenChannel: opt<MessageChannel>(r.chosen_channel),
    provider: opt<string>(r.provider),
    reason: opt<string>(r.reason),
    address: opt<string>(r.address),
    providerMessageId: opt<string>(r.provider_message_id),
    error: opt<string>(r.error),
    topic: opt<string>(r.topic),
    fallbackAfterMs: opt<number>(r.fallback_after_ms),
    fallbackAt: opt<EpochMs>(r.fallback_at),
    fallbackOf: opt<number>(r.fallback_of),
  };
  return {
    id: r.id as number,
    idempotencyKey: r.idempotency_key as string,
    profileId: r.profile_id as ProfileId,
    channel: JSON.parse(r.channel as string) as ChannelChoice,
    templateId: r.template_id as string,
    templateVersion: r.template_version as number,
    category: r.category as SendCategory,
    context: JSON.parse(r.context as string) as Record<string, unknown>,
    plannedAt: r.created_at as EpochMs,
    status: r.status as DeliveryStatus,
    attempts: r.attempts as number,
    nextAttemptAt: r.next_attempt_at as EpochMs,
    updatedAt: r.updated_at as EpochMs,
    ...(Object.fromEntries(
      Object.entries(fields).filter(([, v]) => v !== undefined),
    ) as Partial<DeliveryRecord>),
  };
}

/** Columns an update may set, by field. */
const COLUMNS = {
  status: 'status',
  nextAttemptAt: 'next_attempt_at',
  chosenChannel: 'chosen_channel',
  provider: 'provider',
  reason: 'reason',
  address: 'address',
  providerMessageId: 'provider_message_id',
  error: 'error',
  fallbackAt: 'fallback_at',
} as const;

/**
 * The outbox and delivery log on SQLite. Every method is one transaction; status changes and their
 * history entry commit together.
 * @example const outbox = new SqliteOutbox(db); await outbox.due(now, 100);
 */
export class SqliteOutbox implements OutboxStore {
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      due: db.prepare(
        `SELECT * FROM outbox WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?`,
      ),
      markSending: db.prepare(
        `UPDATE outbox SET status = 'sending', attempts = attempts + 1, updated_at = @at, chosen_channel = @channel,
           provider = @provider, reason = @reason, address = @address WHERE id = @id AND status = 'pending'`,
      ),
      defer: db.prepare(`UPDATE outbox SET next_attempt_at = ? WHERE id = ? AND status = 'pending'`),
      history: db.prepare(HISTORY_SQL),
      stuck: db.prepare(`SELECT id, provider FROM outbox WHERE status = 'sending'`),
      unknown: db.prepare(`UPDATE outbox SET status = 'unknown', updated_at = ?, error = ? WHERE id = ?`),
      unstick: db.prepare(
        `UPDATE outbox SET status = 'pending', next_attempt_at = ?, updated_at = ? WHERE id = ?`,
      ),
      replay: db.prepare(
        `UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?, error = NULL
         WHERE id = ? AND status IN ('dead', 'unknown')`,
      ),
      get: db.prepare(`SELECT * FROM outbox WHERE id = ?`),
      byKey: db.prepare(`SELECT * FROM outbox WHERE idempotency_key = ?`),
      byProviderId: db.prepare(`SELECT * FROM outbox WHERE provider_message_id = ?`),
      historyOf: db.prepare(`SELECT status, at, detail FROM delivery_events WHERE outbox_id = ? ORDER BY id`),
      list: db.prepare(
        `SELECT * FROM outbox WHERE (@profile IS NULL OR profile_id = @profile)
           AND (@journey IS NULL OR journey_id = @journey)
           AND (@status IS NULL OR status = @status) ORDER BY id DESC LIMIT @limit`,
      ),
      fallbacksDue: db.prepare(
        `SELECT * FROM outbox o WHERE fallback_at IS NOT NULL AND fallback_at <= ? AND status = 'sent'
           AND NOT EXISTS (SELECT 1 FROM delivery_events e WHERE e.outbox_id = o.id
             AND e.status IN ('delivered', 'opened', 'clicked'))
         ORDER BY fallback_at, id LIMIT ?`,
      ),
      clearFallback: db.prepare(`UPDATE outbox SET fallback_at = NULL, updated_at = ? WHERE id = ?`),
      counts: db.prepare(`SELECT status, count(*) AS n FROM outbox GROUP BY status`),
    };
  }

  async plan(sends: readonly PlannedSend[]): Promise<number> {
    return this.db.transaction(() => insertPlannedSends(this.db, sends))();
  }

  async due(now: EpochMs, limit: number): Promise<DeliveryRecord[]> {
    return (this.q.due.all(now, limit) as Row[]).map(toRecord);
  }

  async markSending(id: number, at: EpochMs, choice: SendingChoice): Promise<boolean> {
    return this.db.transaction(() => this.markOne(id, at, choice))();
  }

  async markSendingMany(
    items: readonly { readonly id: number; readonly choice: SendingChoice }[],
    at: EpochMs,
  ): Promise<Set<number>> {
    return this.db.transaction(
      () => new Set(items.filter((i) => this.markOne(i.id, at, i.choice)).map((i) => i.id)),
    )();
  }

  private markOne(id: number, at: EpochMs, choice: SendingChoice): boolean {
    const { chosenChannel: channel, provider, reason, address } = choice;
    if (this.q.markSending.run({ id, at, channel, provider, reason, address }).changes === 0) return false;
    this.q.history.run(id, 'sending', at, `${channel} via ${provider}`);
    return true;
  }

  async defer(id: number, until: EpochMs): Promise<void> {
    this.q.defer.run(until, id);
  }

  async update(id: number, change: DeliveryUpdate): Promise<void> {
    this.db.transaction(() => this.updateOne(id, change))();
  }

  async updateMany(
    changes: readonly { readonly id: number; readonly change: DeliveryUpdate }[],
  ): Promise<void> {
    if (changes.length === 0) return;
    this.db.transaction(() => {
      for (const c of changes) this.updateOne(c.id, c.change);
    })();
  }

  /** Prepared statements by the set of columns an update writes (a handful of shapes in practice). */
  private readonly updates = new Map<string, Database.Statement>();

  private updateOne(id: number, change: DeliveryUpdate): void {
    const sets: string[] = ['updated_at = @at'];
    const values: Record<string, unknown> = { id, at: change.event.at };
    for (const [field, column] of Object.entries(COLUMNS)) {
      const value = change[field as keyof typeof COLUMNS];
      if (value === undefined) continue;
      sets.push(`${column} = @${field}`);
      values[field] = value;
    }
    const sql = `UPDATE outbox SET ${sets.join(', ')} WHERE id = @id`;
    let statement = this.updates.get(sql);
    if (!statement) this.updates.set(sql, (statement = this.db.prepare(sql)));
    statement.run(values);
    this.q.history.run(id, change.event.status, change.event.at, change.event.detail ?? null);
  }

  async reconcile(now: EpochMs, idempotent: ReadonlySet<string>) {
    return this.db.transaction(() => {
      const rows = this.q.stuck.all() as { id: number; provider: string | null }[];
      let retried = 0;
      for (const { id, provider } of rows) {
        if (provider !== null && idempotent.has(provider)) {
          this.q.unstick.run(now, now, id);
          this.q.history.run(id, 'reconciled', now, 'in flight at a crash: retried with the same key');
          retried++;
        } else {
          const why = `in flight at a crash; ${provider ?? 'the provider'} does not drop repeats, so it is not resent by itself (replay after checking)`;
          this.q.unknown.run(now, why, id);
          this.q.history.run(id, 'unknown', now, why);
        }
      }
      return { retried, unknown: rows.length - retried };
    })();
  }

  async replay(id: number, now: EpochMs): Promise<boolean> {
    return this.db.transaction(() => {
      if (this.q.replay.run(now, now, id).changes === 0) return false;
      this.q.history.run(id, 'replayed', now, null);
      return true;
    })();
  }

  async get(id: number): Promise<DeliveryRecord | undefined> {
    const r = this.q.get.get(id) as Row | undefined;
    return r && toRecord(r);
  }

  async getByKey(idempotencyKey: string): Promise<DeliveryRecord | undefined> {
    const r = this.q.byKey.get(idempotencyKey) as Row | undefined;
    return r && toRecord(r);
  }

  async getByProviderMessageId(providerMessageId: string): Promise<DeliveryRecord | undefined> {
    const r = this.q.byProviderId.get(providerMessageId) as Row | undefined;
    return r && toRecord(r);
  }

  async history(id: number): Promise<DeliveryEvent[]> {
    return (this.q.historyOf.all(id) as Row[]).map((r) => ({
      status: r.status as string,
      at: r.at as EpochMs,
      ...(r.detail === null ? {} : { detail: r.detail as string }),
    }));
  }

  async fallbacksDue(now: EpochMs, limit: number): Promise<DeliveryRecord[]> {
    return (this.q.fallbacksDue.all(now, limit) as Row[]).map(toRecord);
  }

  async planFallback(id: number, send: PlannedSend | undefined, event: DeliveryEvent): Promise<boolean> {
    return this.db.transaction(() => {
      const planned = send ? insertPlannedSends(this.db, [send]) > 0 : false;
      this.q.clearFallback.run(event.at, id);
      this.q.history.run(id, event.status, event.at, event.detail ?? null);
      return planned;
    })();
  }

  async list(filter: {
    profileId?: ProfileId;
    journeyId?: string;
    status?: DeliveryStatus;
    limit: number;
  }): Promise<DeliveryRecord[]> {
    const rows = this.q.list.all({
      profile: filter.profileId ?? null,
      journey: filter.journeyId ?? null,
      status: filter.status ?? null,
      limit: filter.limit,
    }) as Row[];
    return rows.map(toRecord);
  }

  async counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const r of this.q.counts.all() as Row[]) out[r.status as string] = r.n as number;
    return out;
  }
}
