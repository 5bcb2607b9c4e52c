/**
 * The journey tables, appended to `SQLITE_MIGRATIONS` (see sqlite-schema.ts): definitions and their
 * published versions, runs (serialised `RunState`), their timers, planned sends (the log channel and
 * the recent sends caps count), decisions, conversions, assignments, the inputs each run took, and per
 * person a version and the last inbox sequence applied (the guard of the conditional commit).
 */
export const JOURNEY_MIGRATION = `
  CREATE TABLE journeys (
    id TEXT PRIMARY KEY,
    draft TEXT,
    published_version INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE journey_versions (
    journey_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    definition TEXT NOT NULL,
    published_at INTEGER NOT NULL,
    PRIMARY KEY (journey_id, version)
  ) WITHOUT ROWID;
  CREATE TABLE journey_runs (
    run_id TEXT PRIMARY KEY,
    journey_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    run_key TEXT,
    status TEXT NOT NULL,
    node_id TEXT NOT NULL,
    started_at INTEGER NOT NULL,
    goal_until INTEGER,
    converted INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL
  );
  CREATE INDEX journey_runs_profile ON journey_runs (profile_id);
  CREATE INDEX journey_runs_journey ON journey_runs (journey_id, status);
  CREATE TABLE journey_timers (
    run_id TEXT NOT NULL,
    token INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, token)
  ) WITHOUT ROWID;
  CREATE INDEX journey_timers_due ON journey_timers (due_at);
  CREATE TABLE journey_sends (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    profile_id TEXT NOT NULL,
    run_id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    channel TEXT NOT NULL,
    category TEXT NOT NULL,
    target TEXT NOT NULL,
    at INTEGER NOT NULL,
    context TEXT NOT NULL
  );
  CREATE INDEX journey_sends_profile ON journey_sends (profile_id, at);
  CREATE INDEX journey_sends_journey ON journey_sends (journey_id, id);
  CREATE TABLE journey_decisions (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    at INTEGER NOT NULL,
    until INTEGER
  );
  CREATE INDEX journey_decisions_journey ON journey_decisions (journey_id);
  CREATE INDEX journey_decisions_run ON journey_decisions (run_id);
  CREATE TABLE journey_conversions (
    run_id TEXT PRIMARY KEY,
    journey_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    profile_id TEXT NOT NULL,
    event TEXT NOT NULL,
    revenue REAL NOT NULL,
    at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX journey_conversions_journey ON journey_conversions (journey_id);
  CREATE TABLE journey_assignments (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    journey_id TEXT NOT NULL,
    branch TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (run_id, node_id)
  ) WITHOUT ROWID;
  CREATE TABLE journey_inputs (
    id INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL,
    at INTEGER NOT NULL,
    input TEXT NOT NULL
  );
  CREATE INDEX journey_inputs_run ON journey_inputs (run_id, id);
  CREATE TABLE journey_profiles (
    profile_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    last_seq INTEGER NOT NULL
  ) WITHOUT ROWID;
`;

/**
 * Journeys, second migration: broadcast schedules and per-person schedule/date timers, counters for
 * statistics (kept in the run writes' transaction), the webhook calls queue, and when runs ended
 * (for the retention of their inputs).
 */
export const JOURNEY_MIGRATION_2 = `
  CREATE TABLE journey_schedules (
    journey_id TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    next_at INTEGER,
    fanning_at INTEGER,
    cursor TEXT NOT NULL DEFAULT ''
  ) WITHOUT ROWID;
  CREATE TABLE journey_profile_timers (
    journey_id TEXT NOT NULL,
    profile_id TEXT NOT NULL,
    slot TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    PRIMARY KEY (journey_id, profile_id, slot)
  ) WITHOUT ROWID;
  CREATE INDEX journey_profile_timers_due ON journey_profile_timers (due_at);
  CREATE INDEX journey_profile_timers_profile ON journey_profile_timers (profile_id);
  CREATE TABLE journey_counters (
    journey_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (journey_id, node_id, name)
  ) WITHOUT ROWID;
  CREATE INDEX journey_runs_waiting ON journey_runs (journey_id, status, node_id);
  ALTER TABLE journey_runs ADD COLUMN ended_at INTEGER;
  UPDATE journey_runs SET ended_at = json_extract(state, '$.endedAt') WHERE status = 'ended';
  CREATE INDEX journey_runs_ended ON journey_runs (ended_at) WHERE ended_at IS NOT NULL;
  CREATE TABLE journey_webhooks (
    send_id INTEGER PRIMARY KEY,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at INTEGER NOT NULL,
    last_error TEXT
  );
  CREATE INDEX journey_webhooks_pending ON journey_webhooks (next_at) WHERE status = 'pending';
`;
