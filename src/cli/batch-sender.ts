/**
 * Sends messages to Orkestra's (or any Segment-compatible) `/v1/batch` endpoint: packed into batches
 * within the API's limits, gzip-compressed, a few requests at a time, retrying 429 and 5xx answers
 * (honouring `Retry-After`, RFC 9110 §10.2.3) and network errors with exponential backoff.
 */
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';
import { LIMITS } from '../core/messages/segment-schema.js';

const gzip = promisify(gzipCallback);

/** Room kept below the byte limit, so that a batch never grazes it. */
const BYTE_MARGIN = 1024;
/** `{"batch":[` and `]}`. */
const ENVELOPE_BYTES = 12;

export interface BatchLimits {
  readonly maxBytes: number;
  readonly maxMessages: number;
}

export const API_BATCH_LIMITS: BatchLimits = {
  maxBytes: LIMITS.batchBytes - BYTE_MARGIN,
  maxMessages: LIMITS.batchMessages,
};

/**
 * Packs messages, in order, into batches of at most `maxMessages` whose JSON body stays within
 * `maxBytes` (counted before compression, as the server counts it).
 * @example packBatches(messages, API_BATCH_LIMITS) // [[m1, …, m2500], [m2501, …]]
 */
export function packBatches<T>(messages: readonly T[], limits: BatchLimits = API_BATCH_LIMITS): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = ENVELOPE_BYTES;
  for (const message of messages) {
    const size = Buffer.byteLength(JSON.stringify(message)) + 1;
    if (current.length > 0 && (current.length >= limits.maxMessages || bytes + size > limits.maxBytes)) {
      batches.push(current);
      current = [];
      bytes = ENVELOPE_BYTES;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface SendOptions {
  /** Base URL of the server, e.g. `http://localhost:3000`. */
  readonly url: string;
  readonly writeKey: string;
  /** Requests in flight at once (default 4). */
  readonly concurrency?: number;
  /** Attempts per batch before giving up (default 8). */
  readonly maxAttempts?: number;
  /** Told the number of messages of each batch the server acknowledged. */
  readonly onSent?: (messages: number) => void;
  /** Injected for tests. */
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Thrown when a batch is refused for good (a 4xx other than 429) or retries are exhausted. */
export class BatchSendError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Milliseconds to wait from a `Retry-After` value (seconds or an HTTP date), if it has one. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

const backoffMs = (attempt: number): number => Math.min(30_000, 250 * 2 ** attempt);
const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function sendOne(batch: readonly unknown[], options: SendOptions): Promise<number> {
  const doFetch = options.fetch ?? fetch;
  const sleep = options.sleep ?? realSleep;
  const body = await gzip(JSON.stringify({ batch }));
  const headers = {
    authorization: `Basic ${Buffer.from(`${options.writeKey}:`).toString('base64')}`,
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  };
  const attempts = options.maxAttempts ?? 8;
  let retries = 0;
  for (let attempt = 0; ; attempt++) {
    let wait: number;
    let problem: string;
    try {
      const res = await doFetch(`${options.url.replace(/\/$/, '')}/v1/batch`, {
        method: 'POST',
        headers,
        body,
      });
      if (res.ok) {
        await res.arrayBuffer();
        return retries;
      }
      problem = `HTTP ${res.status}: ${(await res.text()).slice(0, 500)}`;
      if (res.status !== 429 && res.status < 500) throw new BatchSendError(problem, res.status);
      wait = retryAfterMs(res.headers.get('retry-after'), Date.now()) ?? backoffMs(attempt);
    } catch (error) {
      if (error instanceof BatchSendError) throw error;
      problem = String(error);
      wait = backoffMs(attempt);
    }
    if (attempt + 1 >= attempts) throw new BatchSendError(`gave up after ${attempts} attempts: ${problem}`);
    retries++;
    await sleep(wait);
  }
}

/**
 * Sends every batch, `concurrency` at a time; resolves with the number of retries once all are
 * acknowledged, or rejects with the first batch refused for good.
 * @example await sendBatches(packBatches(messages), { url: 'http://localhost:3000', writeKey });
 */
export async function sendBatches(
  batches: readonly (readonly unknown[])[],
  options: SendOptions,
): Promise<number> {
  let next = 0;
  let retries = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < batches.length) {
      const batch = batches[next++]!;
      try {
        retries += await sendOne(batch, options);
      } catch (error) {
        failed = true;
        throw error;
      }
      options.onSent?.(batch.length);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 4, batches.length)) }, lane);
  await Promise.all(lanes);
  return retries;
}
