import { MS_PER_SECOND } from '../brand.js';

/**
 * Parses an HTTP `Retry-After` value into a delay in milliseconds (RFC 9110 §10.2.3: either
 * delay-seconds or an HTTP-date). `nowMs` is a parameter: the core never reads the clock. Undefined
 * when absent or unparseable; a date in the past gives 0.
 *
 * @example parseRetryAfter('120', 0) // 120000
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * MS_PER_SECOND;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at) || !/[A-Za-z]/.test(trimmed)) return undefined;
  return Math.max(0, at - nowMs);
}
