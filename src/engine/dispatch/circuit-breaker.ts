export interface CircuitBreakerOptions {
  /** Consecutive retryable failures that open the circuit. */
  readonly failureThreshold: number;
  /** How long the circuit stays open before one trial send is let through. */
  readonly cooldownMs: number;
}

export const DEFAULT_BREAKER: CircuitBreakerOptions = { failureThreshold: 5, cooldownMs: 30_000 };

/**
 * A circuit breaker per provider: after `failureThreshold` failures in a row the provider gets no
 * sends for `cooldownMs` (its deliveries wait, without spending attempts), then one trial send
 * (half-open) decides whether it closes again. Time is a parameter.
 * @example const b = new CircuitBreaker(DEFAULT_BREAKER); if (b.allows(now)) { ...; b.record(ok, now); }
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private trialInFlight = false;

  constructor(private readonly options: CircuitBreakerOptions = DEFAULT_BREAKER) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.options.failureThreshold) return 'closed';
    return this.trialInFlight ? 'half-open' : 'open';
  }

  /** When a blocked send may try again. */
  get reopensAt(): number {
    return this.openUntil;
  }

  /** Whether a send may start now; in half-open state only one at a time. */
  allows(now: number): boolean {
    if (this.failures < this.options.failureThreshold) return true;
    if (now < this.openUntil || this.trialInFlight) return false;
    this.trialInFlight = true;
    return true;
  }

  /** Records a finished send: `ok` is false only for failures that say the provider is unwell. */
  record(ok: boolean, now: number): void {
    this.trialInFlight = false;
    if (ok) {
      this.failures = 0;
      return;
    }
    this.failures++;
    if (this.failures >= this.options.failureThreshold) this.openUntil = now + this.options.cooldownMs;
  }
}
