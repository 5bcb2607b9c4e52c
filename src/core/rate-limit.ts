/** A token bucket: `tokens` available as of `at`. */
export interface TokenBucket {
  readonly tokens: number;
  readonly at: number;
}

export interface RateLimit {
  /** Tokens added per second. */
  readonly perSecond: number;
  /** Bucket size: the largest burst allowed. */
  readonly burst: number;
}

export type TakeResult =
  | { readonly ok: true; readonly bucket: TokenBucket }
  | { readonly ok: false; readonly bucket: TokenBucket; readonly retryAfterMs: number };

/**
 * Takes `n` tokens at time `now`, refilling at the limit's rate. A request larger than the burst is
 * allowed when the bucket is full, so that a big batch is slowed down rather than refused forever.
 * @example takeTokens(undefined, 10, 0, { perSecond: 100, burst: 200 }) // { ok: true, … }
 */
export function takeTokens(
  bucket: TokenBucket | undefined,
  n: number,
  now: number,
  limit: RateLimit,
): TakeResult {
  const elapsed = bucket ? Math.max(0, now - bucket.at) : 0;
  const available = bucket
    ? Math.min(limit.burst, bucket.tokens + (elapsed * limit.perSecond) / 1000)
    : limit.burst;
  const need = Math.min(n, limit.burst);
  if (available >= need) return { ok: true, bucket: { tokens: available - n, at: now } };
  const retryAfterMs = Math.ceil(((need - available) * 1000) / limit.perSecond);
  return { ok: false, bucket: { tokens: available, at: now }, retryAfterMs };
}
