/**
 * A worker thread that evaluates a batch of segments over one range of profiles, on its own read-only
 * connection, so a full recompute uses every core (see `SqliteSegments.queryAll`).
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import type { ProfileRange } from '../../core/segments/compile-batch-sql.js';
import type { SegmentDefinition } from '../../core/segments/definition.js';
import { runSegmentBatch } from './segment-batch.js';
import { registerSegmentFunctions } from './sqlite-functions.js';

/** What the worker is given. */
export interface SegmentBatchJob {
  readonly path: string;
  readonly definitions: readonly SegmentDefinition[];
  readonly now: number;
  readonly eventIndexes: readonly (readonly [string, string])[];
  readonly range: ProfileRange;
}

const job = workerData as SegmentBatchJob;
const db = new Database(job.path, { readonly: true });
try {
  registerSegmentFunctions(db);
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -65536');
  const answers = runSegmentBatch(db, job.definitions, {
    now: job.now,
    eventIndexes: new Map(job.eventIndexes),
    range: job.range,
  });
  // One string per segment: a string crosses threads as one copy, a list as a million clones.
  parentPort!.postMessage(answers.map((ids) => ids.join('\n')));
} finally {
  db.close();
}
