import Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import type {
  ConsentStore,
  ProviderStore,
  StoredProvider,
  StoredTemplate,
  SuppressionReason,
  TemplateStore,
} from '../store.js';
import { SqliteInAppInbox } from './sqlite-inapp.js';
import { SqliteOutbox } from './sqlite-outbox.js';

type Row = Record<string, unknown>;

/** The messaging ports on one SQLite connection. */
export interface SqliteMessaging {
  readonly outbox: SqliteOutbox;
  readonly templates: TemplateStore;
  readonly consent: ConsentStore;
  readonly providers: ProviderStore;
  /** The in-app inbox (the `inapp` channel's provider writes to it, `/v1/inbox` reads it). */
  readonly inapp: SqliteInAppInbox;
  close(): void;
}

/**
 * Opens the messaging tables (outbox, deliveries, templates, consent, providers, in-app inbox) on a connection of
 * their own to the state file, which `openSqliteStore` has already migrated. The dispatcher runs on the
 * main thread, beside the HTTP server; the engine's worker writes through its own connection (WAL).
 * @example const messaging = openSqliteMessaging({ path: '.orkestra/orkestra.db' });
 */
export function openSqliteMessaging(options: {
  path: string;
  synchronous?: 'full' | 'normal';
}): SqliteMessaging {
  const db = new Database(options.path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  return {
    outbox: new SqliteOutbox(db),
    templates: new SqliteTemplates(db),
    consent: new SqliteConsent(db),
    providers: new SqliteProviders(db),
    inapp: new SqliteInAppInbox(db),
    close: () => db.close(),
  };
}

const toTemplate = (r: Row): StoredTemplate => ({
  id: r.id as string,
  version: r.version as number,
  source: JSON.parse(r.source as string) as Record<string, unknown>,
  compiled: JSON.parse(r.compiled as string) as Record<string, unknown>,
  warnings: JSON.parse(r.warnings as string) as unknown[],
  createdAt: r.created_at as EpochMs,
});

class SqliteTemplates implements TemplateStore {
  constructor(private readonly db: Database.Database) {}

  async saveTemplate(
    id: string,
    now: EpochMs,
    build: (version: number) => Promise<Omit<StoredTemplate, 'id' | 'version' | 'createdAt'>>,
  ): Promise<StoredTemplate> {
    const latest = this.db.prepare(`SELECT max(version) FROM templates WHERE id = ?`).pluck();
    const version = ((latest.get(id) as number | null) ?? 0) + 1;
    const built = await build(version);
    // Two saves of one id racing: the primary key refuses the second, which the caller sees as an error.
    this.db
      .prepare(
        `INSERT INTO templates (id, version, source, compiled, warnings, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        version,
        JSON.stringify(built.source),
        JSON.stringify(built.compiled),
        JSON.stringify(built.warnings),
        now,
      );
    return { id, version, createdAt: now, ...built };
  }

  async getTemplate(id: string, version?: number): Promise<StoredTemplate | undefined> {
    const row =
      version === undefined
        ? this.db.prepare(`SELECT * FROM templates WHERE id = ? ORDER BY version DESC LIMIT 1`).get(id)
        : this.db.prepare(`SELECT * FROM templates WHERE id = ? AND version = ?`).get(id, version);
    return row === undefined ? undefined : toTemplate(row as Row);
  }

  async listTemplates(): Promise<StoredTemplate[]> {
    const rows = this.db
      .prepare(
        `SELECT t.* FROM templates t JOIN (SELECT id, max(version) AS v FROM templates GROUP BY id) m
         ON t.id = m.id AND t.version = m.v ORDER BY t.id`,
      )
      .all() as Row[];
    return rows.map(toTemplate);
  }

  async listVersions(id: string): Promise<{ version: number; createdAt: EpochMs }[]> {
    const rows = this.db
      .prepare(`SELECT version, created_at FROM templates WHERE id = ? ORDER BY version`)
      .all(id) as Row[];
    return rows.map((r) => ({ version: r.version as number, createdAt: r.created_at as EpochMs }));
  }
}

class SqliteConsent implements ConsentStore {
  async setConsent(
    profileId: ProfileId,
    changes: Readonly<Record<string, boolean>>,
    at: EpochMs,
    source: string,
  ): Promise<void> {
    const upsert = this.db.prepare(
      `INSERT INTO consents (profile_id, key, subscribed, at, source) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (profile_id, key) DO UPDATE SET subscribed = excluded.subscribed, at = excluded.at,
         source = excluded.source WHERE excluded.at >= consents.at`,
    );
    this.db.transaction(() => {
      for (const [key, subscribed] of Object.entries(changes))
        upsert.run(profileId, key, subscribed ? 1 : 0, at, source);
    })();
  }

  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.q = {
      consents: db.prepare(`SELECT key, subscribed FROM consents WHERE profile_id = ?`),
      consentsMany: db.prepare(
        `SELECT profile_id, key, subscribed FROM consents WHERE profile_id IN (SELECT value FROM json_each(?))`,
      ),
      suppression: db.prepare(`SELECT reason, at FROM suppressions WHERE channel = ? AND address = ?`),
      suppressedAmong: db.prepare(
        `SELECT s.channel, s.address FROM json_each(?) k JOIN suppressions s
           ON s.channel = k.value ->> '$[0]' AND s.address = k.value ->> '$[1]'`,
      ),
    };
  }

  async consentsOf(profileId: ProfileId): Promise<Record<string, boolean>> {
    const rows = this.q.consents.all(profileId) as Row[];
    return Object.fromEntries(rows.map((r) => [r.key as string, r.subscribed === 1]));
  }

  async consentsOfMany(profileIds: readonly ProfileId[]): Promise<Map<ProfileId, Record<string, boolean>>> {
    const out = new Map<ProfileId, Record<string, boolean>>();
    if (profileIds.length === 0) return out;
    for (const r of this.q.consentsMany.all(JSON.stringify(profileIds)) as Row[]) {
      const id = r.profile_id as ProfileId;
      let subs = out.get(id);
      if (!subs) out.set(id, (subs = {}));
      subs[r.key as string] = r.subscribed === 1;
    }
    return out;
  }

  async suppressedAmong(keys: readonly { channel: string; address: string }[]): Promise<Set<string>> {
    if (keys.length === 0) return new Set();
    const pairs = JSON.stringify(keys.map((k) => [k.channel, k.address.toLowerCase()]));
    const rows = this.q.suppressedAmong.all(pairs) as Row[];
    return new Set(rows.map((r) => `${r.channel as string}:${r.address as string}`));
  }

  async suppress(channel: string, address: string, reason: SuppressionReason, at: EpochMs): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO suppressions (channel, address, reason, at) VALUES (?, ?, ?, ?)
         ON CONFLICT (channel, address) DO UPDATE SET reason = excluded.reason, at = excluded.at`,
      )
      .run(channel, address.toLowerCase(), reason, at);
  }

  async unsuppress(channel: string, address: string): Promise<boolean> {
    const r = this.db
      .prepare(`DELETE FROM suppressions WHERE channel = ? AND address = ?`)
      .run(channel, address.toLowerCase());
    return r.changes > 0;
  }

  async suppression(
    channel: string,
    address: string,
  ): Promise<{ reason: SuppressionReason; at: EpochMs } | undefined> {
    const r = this.q.suppression.get(channel, address.toLowerCase()) as Row | undefined;
    return r && { reason: r.reason as SuppressionReason, at: r.at as EpochMs };
  }
}

const toProvider = (r: Row): StoredProvider => ({
  name: r.name as string,
  type: r.type as string,
  channel: r.channel as MessageChannel,
  settings: JSON.parse(r.settings as string) as Record<string, unknown>,
  secret: r.secret as string,
  updatedAt: r.updated_at as EpochMs,
});

class SqliteProviders implements ProviderStore {
  constructor(private readonly db: Database.Database) {}

  async putProvider(p: StoredProvider): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO providers (name, type, channel, settings, secret, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET type = excluded.type, channel = excluded.channel,
           settings = excluded.settings, secret = excluded.secret, updated_at = excluded.updated_at`,
      )
      .run(p.name, p.type, p.channel, JSON.stringify(p.settings), p.secret, p.updatedAt);
  }

  async getProvider(name: string): Promise<StoredProvider | undefined> {
    const r = this.db.prepare(`SELECT * FROM providers WHERE name = ?`).get(name) as Row | undefined;
    return r && toProvider(r);
  }

  async listProviders(): Promise<StoredProvider[]> {
    return (this.db.prepare(`SELECT * FROM providers ORDER BY name`).all() as Row[]).map(toProvider);
  }

  async deleteProvider(name: string): Promise<boolean> {
    return this.db.prepare(`DELETE FROM providers WHERE name = ?`).run(name).changes > 0;
  }
}
