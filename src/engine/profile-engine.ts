import type { EpochMs, ProfileId } from '../core/brand.js';
import { identityKeysOf, type IdentityKey } from '../core/profiles/identity.js';
import { resolveBatch, type BatchInput } from '../core/profiles/resolve-batch.js';
import { foldComputedTraits } from '../core/computed/computed-traits.js';
import { foldMessagingEvents } from '../core/channels/fold-messaging-events.js';
import { applySegmentsToBatch, type ProfileFold } from '../core/segments/apply-to-batch.js';
import { prepareSegments, type ActiveSegments } from '../core/segments/segment-step.js';
import type { InboxRow, Store } from '../store/store.js';
import { isJourneyConflict, JourneyRunner } from './journey-runner.js';

/**
 * Largest batch the engine applies in one transaction. Under a backlog, big batches are what let it
 * catch up: a profile touched by many events is written once, and every B-tree page a batch dirties is
 * written to the WAL once per commit (measured with 20 segments: 83 µs of CPU an event at 2,000, 59 at
 * 10,000).
 */
const DEFAULT_BATCH = 10_000;
/**
 * The first batch after the engine has caught up is at most this large, and each batch that comes back
 * full doubles the next, up to the largest. In real time, what the engine reads is what arrived while
 * it worked on the previous batch; a hiccup (a garbage collection, a busy core) leaves a few hundred
 * entries, and applying them in one transaction held the first of them back until the last was
 * written. Measured at 5,000 events/s with 20 segments (30 s runs): event → membership change p99
 * 113 ms with batches of at most 400, 161 ms with 10,000.
 */
const REAL_TIME_BATCH = 400;

export interface ProfileEngineOptions {
  readonly store: Store;
  readonly newProfileId: () => ProfileId;
  readonly mergeOnEmail: boolean;
  /** Inbox entries per transaction, at most (see `REAL_TIME_BATCH` for how batches grow to it). */
  readonly batchSize?: number;
  /** Reports failures the engine retries; defaults to console.error. */
  readonly onError?: (error: unknown) => void;
  readonly clock: () => EpochMs;
  /** Poll interval, for entries appended by another process. */
  readonly pollMs?: number;
  /** Computed-trait folds applied to each profile's new events, after the orders and engagement traits. */
  readonly folds?: readonly ProfileFold[];
  /** Told the inbox sequence number processed so far, after every transaction. */
  readonly onProgress?: (seq: number) => void;
  /**
   * How long a pass waits after the first kick from idle, so that a trickle of requests becomes one
   * transaction (one fsync) instead of one each. Default 10 ms.
   */
  readonly lingerMs?: number;
  /** The journey stage; defaults to one over the same store and clock. */
  readonly journeyRunner?: JourneyRunner;
}

/**
 * What the server and the services need of the engine, wherever it runs: in this thread
 * (`ProfileEngine`) or in a worker thread (`WorkerEngine`).
 */
export interface EngineHandle {
  /**
   * Asks for a processing pass (after new entries were committed). `urgent` skips the linger: a caller
   * waits for the answer (an API start), so batching with followers is not worth its latency.
   */
  kick(urgent?: boolean): void;
  /** Resolves once every entry up to `seq` has been applied. */
  waitFor(seq: number): Promise<void>;
  readonly lastProcessedSeq: number;
  /** Whether the engine is in burst mode (see `BurstPriority`); only a worker engine enters it. */
  readonly inBurst?: boolean;
  /** Runs `job` while the engine applies nothing (one writer per profile). */
  exclusive<T>(job: () => Promise<T>): Promise<T>;
  /** Loads the segments in force from the store (after a change through the API). */
  reloadSegments(): Promise<void>;
  readonly segments: ActiveSegments;
  /** Processes until the inbox is empty. */
  drain(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Applies the inbox to profiles, in order: one batch of entries per transaction, each resolved by the
 * pure `resolveBatch` against the state it names. The inbox entries a batch consumed are deleted in
 * the same transaction as its effects, so after a crash processing resumes exactly where it stopped.
 * @example const engine = new ProfileEngine({ store, newProfileId, mergeOnEmail: true, clock }); engine.start();
 */
export class ProfileEngine implements EngineHandle {
  private processedSeq = 0;
  private running = false;
  private wanted = false;
  private lingering: NodeJS.Timeout | undefined;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private waiters: { seq: number; resolve: () => void }[] = [];
  private failures = 0;
  private tail: Promise<unknown> = Promise.resolve();
  private active: ActiveSegments = { definitions: [], matchers: [] };
  private timerWake: NodeJS.Timeout | undefined;
  /** How many inbox entries the next batch reads: doubles while batches come back full. */
  private batchLimit = REAL_TIME_BATCH;

  private readonly journeys: JourneyRunner;

  constructor(private readonly options: ProfileEngineOptions) {
    this.journeys =
      options.journeyRunner ?? new JourneyRunner({ store: options.store, clock: options.clock });
  }

  /** Loads the segments in force from the store (after a change through the API). */
  async reloadSegments(): Promise<void> {
    const stored = await this.options.store.listSegments();
    const prepared = prepareSegments(stored.map((s) => s.definition));
    if (!prepared.ok) throw new Error(prepared.error);
    this.active = prepared.value;
  }

  get segments(): ActiveSegments {
    return this.active;
  }

  /**
   * Runs `job` alone: no batch or timer is processed while it runs (one writer per profile).
   * Backfills and recomputes go through here.
   */
  exclusive<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job);
    this.tail = next.catch(() => undefined);
    return next;
  }

  async start(): Promise<void> {
    await this.reloadSegments();
    this.stopped = false;
    this.kick();
    this.timer = setInterval(() => this.kick(), this.options.pollMs ?? 1000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.timerWake) clearTimeout(this.timerWake);
    if (this.lingering) clearTimeout(this.lingering);
    while (this.running) await new Promise((r) => setTimeout(r, 5));
  }

  /** Asks for a processing pass (after new entries were committed); `urgent` skips the linger. */
  kick(urgent = false): void {
    if (this.stopped) return;
    this.wanted = true;
    if (urgent && this.lingering && !this.running) {
      clearTimeout(this.lingering);
      this.lingering = undefined;
      void this.loop();
      return;
    }
    if (this.running || this.lingering) return;
    const linger = this.options.lingerMs ?? 10;
    if (linger <= 0) {
      void this.loop();
      return;
    }
    this.lingering = setTimeout(() => {
      this.lingering = undefined;
      if (!this.running) void this.loop();
    }, linger);
  }

  /** Resolves once every entry up to `seq` has been applied. */
  waitFor(seq: number): Promise<void> {
    if (seq <= this.processedSeq) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.kick();
    });
  }

  /** Processes until the inbox is empty (for the CLI, tests and benchmarks). */
  async drain(): Promise<void> {
    while ((await this.processOnce()) > 0);
  }

  get lastProcessedSeq(): number {
    return this.processedSeq;
  }

  private async loop(): Promise<void> {
    this.running = true;
    try {
      while (this.wanted && !this.stopped) {
        this.wanted = false;
        let n: number;
        do {
          n = await this.processOnce();
          // Yield between batches so that HTTP requests keep being answered during a backlog.
          if (n > 0) await new Promise((r) => setImmediate(r));
        } while (n > 0 && !this.stopped);
      }
      await this.scheduleTimerWake();
      this.failures = 0;
    } catch (error) {
      this.failures++;
      (this.options.onError ?? console.error)(error);
      const backoff = Math.min(30_000, 100 * 2 ** this.failures);
      setTimeout(() => this.kick(), backoff).unref();
    } finally {
      this.running = false;
    }
  }

  /**
   * One transaction's worth of inbox. Returns the number of entries consumed. Calls are serialised:
   * one writer per profile means one pass at a time here.
   */
  processOnce(): Promise<number> {
    return this.exclusive(async () => {
      await this.journeys.refresh();
      const timers =
        (await this.retrying(() => this.processTimers())) +
        (await this.retrying(() => this.fireJourneyTimers()));
      return timers + (await this.retrying(() => this.processNext()));
    });
  }

  /** A pass that lost a race with another engine on a person's journey state is simply done again. */
  private async retrying(pass: () => Promise<number>): Promise<number> {
    try {
      return await pass();
    } catch (error) {
      if (!isJourneyConflict(error)) throw error;
      return 1;
    }
  }

  private fireJourneyTimers(): Promise<number> {
    return this.journeys.fireTimers(this.options.clock());
  }

  /** Re-evaluates profiles whose segment windows have expired by now. */
  private async processTimers(): Promise<number> {
    const { store } = this.options;
    const now = this.options.clock();
    const due = await store.dueTimers(now, 1000);
    if (due.length === 0) return 0;
    const profiles = await store.loadProfiles(due.map((d) => d.profileId));
    const plan = { merges: [], identities: new Map(), events: [], profiles: [...profiles.values()] };
    const write = await this.journeys.extend(applySegmentsToBatch(plan, this.active, now), now);
    // Timers of profiles that no longer exist are cleared too.
    const timers = new Map(write.timers);
    for (const d of due) if (!timers.has(d.profileId)) timers.set(d.profileId, null);
    await store.commitBatch({ ...write, timers });
    return due.length;
  }

  /** Sleeps until the next timer is due (at most the poll interval), so timers fire on time. */
  private async scheduleTimerWake(): Promise<void> {
    if (this.stopped) return;
    const timers = [await this.options.store.nextTimer(), await this.journeys.nextTimer()];
    const next = timers.reduce((a, b) => (a === undefined || (b !== undefined && b < a) ? b : a));
    if (this.timerWake) clearTimeout(this.timerWake);
    if (next === undefined) return;
    const delay = Math.max(0, Math.min(next - this.options.clock(), this.options.pollMs ?? 1000));
    this.timerWake = setTimeout(() => this.kick(), delay);
    this.timerWake.unref();
  }

  private async processNext(): Promise<number> {
    const { store } = this.options;
    const largest = this.options.batchSize ?? DEFAULT_BATCH;
    const limit = Math.min(this.batchLimit, largest);
    const rows = await store.readInbox(limit);
    this.batchLimit = rows.length < limit ? REAL_TIME_BATCH : Math.min(limit * 2, largest);
    if (rows.length === 0) return 0;
    const first = rows[0]!;
    if (first.kind === 'erase') {
      await store.eraseProfile(first.profileId, first.seq);
      this.advance(first.seq);
      await store.maintain?.();
      return 1;
    }
    const stop = rows.findIndex((r) => r.kind === 'erase');
    const messages = (stop === -1 ? rows : rows.slice(0, stop)) as (InboxRow & { kind: 'message' })[];
    const inputs: BatchInput[] = messages.map((r) => ({ seq: r.seq, message: r.message, json: r.json }));
    const keys = new Set<IdentityKey>();
    for (const input of inputs) for (const key of identityKeysOf(input.message)) keys.add(key);
    const identities = await store.findOwners(keys);
    const profiles = await store.loadProfiles(new Set(identities.values()));
    const plan = resolveBatch(inputs, { identities, profiles }, this.options);
    const folds = [foldComputedTraits, foldMessagingEvents, ...(this.options.folds ?? [])];
    const now = this.options.clock();
    const write = await this.journeys.extend(applySegmentsToBatch(plan, this.active, now, folds), now);
    const lastSeq = messages[messages.length - 1]!.seq;
    await store.commitBatch(write, lastSeq);
    this.advance(lastSeq);
    await store.maintain?.();
    return messages.length;
  }

  private advance(seq: number): void {
    this.processedSeq = seq;
    this.options.onProgress?.(seq);
    if (this.waiters.length === 0) return;
    const done = this.waiters.filter((w) => w.seq <= seq);
    this.waiters = this.waiters.filter((w) => w.seq > seq);
    for (const w of done) w.resolve();
  }
}
