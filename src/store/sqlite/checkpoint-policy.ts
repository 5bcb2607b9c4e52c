import type Database from 'better-sqlite3';

/** The settings key under which the state database records how far the engine has consumed the inbox. */
export const CURSOR_KEY = 'inbox_cursor';
/**
 * The cursor as of the last complete checkpoint of the state file: with `synchronous = NORMAL`, a
 * commit is durable against power loss only once a checkpoint has synced it, so the inbox may forget
 * entries up to here and no further.
 */
export const DURABLE_KEY = 'inbox_cursor_durable';
/** How often the state and inbox files are checkpointed. */
export const CHECKPOINT_EVERY_MS = 2000;

/** A PASSIVE checkpoint; true when it copied every frame (the file then holds, synced, every commit). */
export function checkpoint(db: Database.Database): boolean {
  const [result] = db.pragma('wal_checkpoint(PASSIVE)') as {
    busy: number;
    log: number;
    checkpointed: number;
  }[];
  return result !== undefined && result.busy === 0 && result.checkpointed === result.log;
}

/**
 * One round: checkpoint the state file and, if that was complete, record the cursor it made durable;
 * then checkpoint the inbox. The cursor is read before the checkpoint starts: every commit up to it
 * is in the WAL frames the checkpoint's snapshot covers, so a complete checkpoint synced them all
 * into the database file (SQLite reports `log` as the frames of the snapshot it started from).
 * Returns whether the state checkpoint was complete.
 * @example checkpointRound(stateDb, inboxDb, { recordDurable: true });
 */
export function checkpointRound(
  state: Database.Database,
  inbox: Database.Database,
  options: { readonly recordDurable: boolean },
): boolean {
  const value = state.prepare(`SELECT value FROM settings WHERE key = ?`).pluck().get(CURSOR_KEY);
  const cursor = value === undefined ? 0 : Number(value);
  // PASSIVE never waits for the other threads' writers or readers; what it cannot copy now, the next one will.
  const complete = checkpoint(state);
  if (complete && options.recordDurable && cursor > 0)
    state
      .prepare(
        `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value
         WHERE CAST(settings.value AS INTEGER) < CAST(excluded.value AS INTEGER)`,
      )
      .run(DURABLE_KEY, String(cursor));
  checkpoint(inbox);
  return complete;
}
