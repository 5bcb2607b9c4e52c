import type Database from 'better-sqlite3';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { Journey } from '../../core/journeys/definition.js';
import type { SendRecord } from '../../core/journeys/journey-write.js';
import type { RunState } from '../../core/journeys/run-state.js';
import type { InboundMessage } from '../../core/messages/inbound-message.js';
import type { JourneyActivity, PublishOutcome, StoredJourney } from '../journey-store.js';
import { decisionOf, sendOf, SqliteJourneyRuns } from './sqlite-journey-runs.js';

type Row = Record<string, unknown>;
const REVISION_KEY = 'journeys_revision';

/**
 * The journey half of the SQLite store: drafts, published versions (publishing writes a new version
 * and may move in-flight runs), the revision engines watch, activity for statistics and history scans
 * for simulations. Runs, timers and the conditional commit are in `SqliteJourneyRuns` (`runs`).
 */
export class SqliteJourneys {
  readonly runs: SqliteJourneyRuns;
  private readonly q;

  constructor(private readonly db: Database.Database) {
    this.runs = new SqliteJourneyRuns(db);
    this.q = {
      get: db.prepare(`SELECT * FROM journeys WHERE id = ?`),
      list: db.prepare(`SELECT * FROM journeys ORDER BY id`),
      saveDraft: db.prepare(
        `INSERT INTO journeys (id, draft, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET draft = excluded.draft, updated_at = excluded.updated_at`,
      ),
      version: db
        .prepare(`SELECT definition FROM journey_versions WHERE journey_id = ? AND version = ?`)
        .pluck(),
      allVersions: db.prepare(`SELECT definition FROM journey_versions ORDER BY journey_id, version`).pluck(),
      latest: db
        .prepare(
          `SELECT v.definition FROM journeys j JOIN journey_versions v
             ON v.journey_id = j.id AND v.version = j.published_version ORDER BY j.id`,
        )
        .pluck(),
      addVersion: db.prepare(
        `INSERT INTO journey_versions (journey_id, version, definition, published_at) VALUES (?, ?, ?, ?)`,
      ),
      setPublished: db.prepare(
        `INSERT INTO journeys (id, draft, published_version, created_at, updated_at) VALUES (?, NULL, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET draft = NULL, published_version = excluded.published_version,
           updated_at = excluded.updated_at`,
      ),
      inFlight: db.prepare(
        `SELECT run_id, profile_id, node_id FROM journey_runs WHERE journey_id = ? AND version < ? AND status != 'ended'`,
      ),
      migrate: db.prepare(
        `UPDATE journey_runs SET version = ?, state = json_set(state, '$.version', ?) WHERE run_id = ?`,
      ),
      bumpGuard: db.prepare(`UPDATE journey_profiles SET version = version + 1 WHERE profile_id = ?`),
      getRevision: db.prepare(`SELECT value FROM settings WHERE key = '${REVISION_KEY}'`).pluck(),
      setRevision: db.prepare(
        `INSERT INTO settings (key, value) VALUES ('${REVISION_KEY}', '1')
         ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`,
      ),
      deleteDraftOnly: db.prepare(`DELETE FROM journeys WHERE id = ? AND published_version IS NULL`),
      runsOfJourney: db.prepare(`SELECT state FROM journey_runs WHERE journey_id = ?`).pluck(),
      sendsOfJourney: db.prepare(`SELECT * FROM journey_sends WHERE journey_id = ? ORDER BY id`),
      decisionsOfJourney: db.prepare(`SELECT * FROM journey_decisions WHERE journey_id = ? ORDER BY id`),
      revenue: db
        .prepare(`SELECT coalesce(sum(revenue), 0) FROM journey_conversions WHERE journey_id = ?`)
        .pluck(),
    };
  }

  private stored(row: Row): StoredJourney {
    const version = row.published_version as number | null;
    const published = version === null ? undefined : this.version(row.id as string, version);
    return {
      id: row.id as string,
      ...(row.draft !== null ? { draft: JSON.parse(row.draft as string) as unknown } : {}),
      ...(version !== null ? { publishedVersion: version } : {}),
      ...(published ? { published } : {}),
      createdAt: row.created_at as EpochMs,
      updatedAt: row.updated_at as EpochMs,
    };
  }

  saveDraft(id: string, draft: unknown, now: EpochMs): StoredJourney {
    this.q.saveDraft.run(id, JSON.stringify(draft), now, now);
    return this.get(id)!;
  }

  get(id: string): StoredJourney | undefined {
    const row = this.q.get.get(id) as Row | undefined;
    return row ? this.stored(row) : undefined;
  }

  list(): StoredJourney[] {
    return (this.q.list.all() as Row[]).map((r) => this.stored(r));
  }

  delete(id: string): boolean {
    return this.q.deleteDraftOnly.run(id).changes > 0;
  }

  version(id: string, version: number): Journey | undefined {
    const definition = this.q.version.get(id, version) as string | undefined;
    return definition === undefined ? undefined : (JSON.parse(definition) as Journey);
  }

  published(): { latest: Journey[]; all: Journey[] } {
    const parse = (s: string): Journey => JSON.parse(s) as Journey;
    return {
      latest: (this.q.latest.all() as string[]).map(parse),
      all: (this.q.allVersions.all() as string[]).map(parse),
    };
  }

  /**
   * Publishes `journey` as the version after the latest, in one transaction; moved runs also bump
   * their person's guard, so an engine that read them before fails its commit and reads them again.
   */
  publish(journey: Journey, options: { migrate: boolean; now: EpochMs }): PublishOutcome {
    return this.db.transaction((): PublishOutcome => {
      const current = this.get(journey.id)?.publishedVersion ?? 0;
      const version = current + 1;
      const definition: Journey = { ...journey, version };
      this.q.addVersion.run(journey.id, version, JSON.stringify(definition), options.now);
      this.q.setPublished.run(journey.id, version, options.now, options.now);
      const ids = new Set(journey.nodes.map((n) => n.id));
      let migrated = 0;
      let stayed = 0;
      for (const r of this.q.inFlight.all(journey.id, version) as Row[]) {
        if (!options.migrate || !ids.has(r.node_id as string)) {
          stayed++;
          continue;
        }
        this.q.bumpGuard.run(r.profile_id);
        this.q.migrate.run(version, version, r.run_id);
        migrated++;
      }
      this.q.setRevision.run();
      return { version, migrated, stayed };
    })();
  }

  revision(): number {
    return Number((this.q.getRevision.get() as string | undefined) ?? 0);
  }

  bumpRevision(): void {
    this.q.setRevision.run();
  }

  activity(journeyId: string): JourneyActivity {
    return {
      runs: (this.q.runsOfJourney.all(journeyId) as string[]).map((s) => JSON.parse(s) as RunState),
      sends: (this.q.sendsOfJourney.all(journeyId) as Row[]).map(sendOf),
      decisions: (this.q.decisionsOfJourney.all(journeyId) as Row[]).map(decisionOf),
      revenue: this.q.revenue.get(journeyId) as number,
    };
  }

  sends(filter: { journeyId?: string; profileId?: ProfileId; limit: number }): SendRecord[] {
    const column = filter.journeyId !== undefined ? 'journey_id' : 'profile_id';
    const value = filter.journeyId ?? filter.profileId ?? '';
    return (
      this.db
        .prepare(`SELECT * FROM journey_sends WHERE ${column} = ? ORDER BY id LIMIT ?`)
        .all(value, filter.limit) as Row[]
    ).map(sendOf);
  }

  scanEventsBetween(
    from: EpochMs,
    to: EpochMs,
    onEvent: (e: { profileId: ProfileId; message: InboundMessage; timestamp: EpochMs }) => void,
  ): number {
    const stmt = this.db.prepare(
      `SELECT profile_id, timestamp, body FROM events WHERE type = 'track' AND timestamp BETWEEN ? AND ?
       ORDER BY profile_id, timestamp, seq`,
    );
    let n = 0;
    for (const row of stmt.iterate(from, to) as Iterable<Row>) {
      onEvent({
        profileId: row.profile_id as ProfileId,
        timestamp: row.timestamp as EpochMs,
        message: JSON.parse(row.body as string) as InboundMessage,
      });
      n++;
    }
    return n;
  }
}
