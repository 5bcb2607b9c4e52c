import { takeTokens, type TokenBucket } from '../../core/rate-limit.js';
import type { ChannelProvider } from '../../channels/channel.js';
import { CircuitBreaker, DEFAULT_BREAKER, type CircuitBreakerOptions } from './circuit-breaker.js';

/** A provider's limits: sends at once, sends per second, and how many may wait for a slot. */
export interface LaneLimits {
  readonly concurrency: number;
  readonly perSecond: number;
  readonly burst?: number;
  /** Sends waiting for a free slot beyond which new ones are deferred (default 4 × concurrency). */
  readonly maxQueue?: number;
}

export const DEFAULT_LANE_LIMITS: LaneLimits = { concurrency: 16, perSecond: 500 };

/** A send job; resolves to whether the provider looked healthy (false: a retryable failure). */
export type LaneJob = () => Promise<boolean>;

export type Admission =
  { readonly ok: true } | { readonly ok: false; readonly retryAt: number; readonly reason: string };

/**
 * One provider's lane: its own concurrency slots, token bucket and circuit breaker, so that a slow
 * or failing provider only ever holds up its own sends. A lane never holds a job it cannot start
 * soon: when the bucket is empty, the circuit is open or the queue is full, `admit` says when to come
 * back and the delivery waits in the outbox instead.
 * @example const lane = new ProviderLane(provider, { concurrency: 8, perSecond: 100 });
 */
export class ProviderLane {
  private active = 0;
  private readonly queue: LaneJob[] = [];
  private bucket: TokenBucket | undefined;
  private readonly breaker: CircuitBreaker;
  private idleWaiters: (() => void)[] = [];
  private roomWaiters: (() => void)[] = [];

  constructor(
    readonly provider: ChannelProvider,
    readonly limits: LaneLimits = DEFAULT_LANE_LIMITS,
    breaker: CircuitBreakerOptions = DEFAULT_BREAKER,
    private readonly clock: () => number = Date.now,
  ) {
    this.breaker = new CircuitBreaker(breaker);
  }

  get circuit(): CircuitBreaker['state'] {
    return this.breaker.state;
  }

  get inFlight(): number {
    return this.active + this.queue.length;
  }

  /** Whether a job admitted now would find a place (a free slot or room in the queue). */
  hasRoom(): boolean {
    return this.queue.length < (this.limits.maxQueue ?? this.limits.concurrency * 4);
  }

  /** Places left: free slots plus room in the queue. */
  room(): number {
    const maxQueue = this.limits.maxQueue ?? this.limits.concurrency * 4;
    return Math.max(0, this.limits.concurrency - this.active) + Math.max(0, maxQueue - this.queue.length);
  }

  /** Resolves once at least half the lane's places are free again (a pass is then worth its reads). */
  whenRoom(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.roomWaiters.push(resolve));
  }

  /** Starts or queues `job`, or refuses it with a time to try again. */
  admit(now: number, job: LaneJob): Admission {
    const maxQueue = this.limits.maxQueue ?? this.limits.concurrency * 4;
    if (this.queue.length >= maxQueue) return { ok: false, retryAt: now + 1000, reason: 'provider busy' };
    const rate = { perSecond: this.limits.perSecond, burst: this.limits.burst ?? this.limits.perSecond };
    const taken = takeTokens(this.bucket, 1, now, rate);
    if (!taken.ok) {
      this.bucket = taken.bucket;
      return { ok: false, retryAt: now + taken.retryAfterMs, reason: 'provider rate limit' };
    }
    if (!this.breaker.allows(now))
      return { ok: false, retryAt: this.breaker.reopensAt, reason: 'provider circuit open' };
    this.bucket = taken.bucket;
    this.queue.push(job);
    this.pump();
    return { ok: true };
  }

  /** Resolves when nothing is running or waiting. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    while (this.active < this.limits.concurrency) {
      const job = this.queue.shift();
      if (!job) break;
      this.active++;
      void job()
        .catch(() => false)
        .then((healthy) => {
          this.breaker.record(healthy, this.clock());
          this.active--;
          this.pump();
          const capacity = this.limits.concurrency + (this.limits.maxQueue ?? this.limits.concurrency * 4);
          if (this.room() * 2 >= capacity) {
            const room = this.roomWaiters;
            this.roomWaiters = [];
            for (const w of room) w();
          }
          if (this.inFlight === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
    }
  }
}
