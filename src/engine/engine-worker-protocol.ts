/** Messages between the main thread (`WorkerEngine`) and the engine's worker thread (`engine-worker.ts`). */

/** What the worker needs to open the store and build its engine. */
export interface EngineWorkerData {
  readonly dbPath: string;
  readonly synchronous: 'full' | 'normal';
  readonly mergeOnEmail: boolean;
  readonly pollMs?: number;
  /** The worker's nice value (its checkpoint thread inherits it); 0 keeps the main thread's. */
  readonly nice?: number;
  /**
   * The worker's nice value while it is far behind ingest (`BurstPriority`); 0 turns burst mode off.
   * Default `DEFAULT_BURST_POLICY.nice`.
   */
  readonly burstNice?: number;
  /** The durable end of the inbox, kept by the main thread's store (`SqliteStoreOptions.inboxFence`). */
  readonly inboxFence?: SharedArrayBuffer;
}

/** Requests that expect an answer carry an id; `kick` does not. */
export type ToWorker =
  | { readonly t: 'kick'; readonly urgent?: boolean }
  | { readonly t: 'start' | 'pause' | 'resume' | 'reload' | 'drain' | 'stop'; readonly id: number };

export type FromWorker =
  | { readonly t: 'progress'; readonly seq: number }
  | { readonly t: 'done'; readonly id: number; readonly error?: string }
  | { readonly t: 'failed'; readonly error: string }
  /** The worker entered (`on`) or left burst mode, with the backlog it saw. */
  | { readonly t: 'burst'; readonly on: boolean; readonly backlog: number };
