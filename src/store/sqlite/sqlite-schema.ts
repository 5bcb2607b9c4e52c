/**
 * Schema of the inbox file (`inbox.db`): accepted inputs waiting for the engine, and the dedupe keys.
 * It is a file of its own so that ingest (the HTTP thread) and the engine (its worker thread) each
 * commit to their own WAL, in parallel, instead of queueing for one write lock.
 */
export const INBOX_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE inbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    received_at INTEGER NOT NULL
  );
  CREATE TABLE dedupe (
    message_id TEXT PRIMARY KEY,
    received_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX dedupe_received_at ON dedupe (received_at);
  `,
];

/**
 * Schema of the embedded store, as ordered migrations. A migration runs once, in a transaction, and
 * `PRAGMA user_version` records how far the database has come.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE profiles (
    id TEXT PRIMARY KEY,
    state TEXT,
    merged_into TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX profiles_merged_into ON profiles (merged_into) WHERE merged_into IS NOT NULL;
  CREATE TABLE identities (
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    PRIMARY KEY (kind, value)
  ) WITHOUT ROWID;
  CREATE INDEX identities_profile ON identities (profile_id);
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    profile_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT,
    timestamp INTEGER NOT NULL,
    body TEXT NOT NULL
  );
  CREATE INDEX events_profile_time ON events (profile_id, timestamp DESC, seq DESC);
  CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    from_id TEXT NOT NULL,
    into_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    message_id TEXT NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX merges_into ON merges (into_id);
  CREATE INDEX merges_from ON merges (from_id);
  CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE segments (
    id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE segment_members (
    segment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    entered_at INTEGER NOT NULL,
    PRIMARY KEY (segment_id, profile_id)
  ) WITHOUT ROWID;
  CREATE INDEX segment_members_profile ON segment_members (profile_id);
  CREATE TABLE segment_changes (
    id INTEGER PRIMARY KEY,
    segment_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    entered INTEGER NOT NULL,
    at INTEGER NOT NULL
  );
  CREATE INDEX segment_changes_profile ON segment_changes (profile_id, at);
  CREATE INDEX segment_changes_segment ON segment_changes (segment_id, at);
  CREATE TABLE timers (
    profile_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (profile_id, kind)
  ) WITHOUT ROWID;
  CREATE INDEX timers_due ON timers (due_at);
  `,
];
