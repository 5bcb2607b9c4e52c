/** How often and how far apart a failed send is retried. */
export interface RetryPolicy {
  /** Attempts in all, the first included; after the last the delivery is dead-lettered. */
  readonly maxAttempts: number;
  /** Delay before the second attempt; doubled for each further one. */
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseMs: 2_000, maxMs: 3_600_000 };

/**
 * The delay before the next attempt after `attempts` have failed: exponential backoff with "equal
 * jitter" (half fixed, half random, so retries of a burst spread out but never come early), and never
 * sooner than the provider's `Retry-After` (RFC 9110 §10.2.3).
 * @example retryDelay(1, DEFAULT_RETRY_POLICY, () => 0.5, 30_000) // 30000
 */
export function retryDelay(
  attempts: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number {
  const exponential = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = Math.round(exponential / 2 + (random() * exponential) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
