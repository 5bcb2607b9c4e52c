import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import { Analytics as SegmentAnalytics } from '@segment/analytics-node';
import { setTimeout as sleep } from 'node:timers/promises';

/** Who a call is about, as both SDKs type it: a userId, an anonymousId, or both. */
export type Who =
  { readonly userId: string; readonly anonymousId?: string } | { readonly anonymousId: string };

/** One SDK call, described once and replayed through each SDK. `tag` goes into `context.testTag`. */
export type Call = { readonly tag: string } & (
  | { readonly type: 'identify'; readonly who: Who; readonly traits: Record<string, string> }
  | { readonly type: 'track'; readonly who: Who; readonly event: string }
  | { readonly type: 'page' | 'screen'; readonly who: Who; readonly name: string }
  | {
      readonly type: 'group';
      readonly who: Who;
      readonly groupId: string;
      readonly traits: Record<string, string>;
    }
  | { readonly type: 'alias'; readonly userId: string; readonly previousId: string }
);

export interface SdkSession {
  send(call: Call): void;
  /** Sends what is queued and resolves once the SDK has reported on every call so far. */
  flush(): Promise<void>;
  /** Flushes and shuts the client down. */
  close(): Promise<void>;
  /** Delivery failures the SDK reported (callback errors). */
  readonly failures: readonly unknown[];
  /** Calls the SDK has not reported on yet, delivered or failed. */
  readonly outstanding: number;
}

export interface SdkUnderTest {
  readonly name: string;
  /** Content-Type and Content-Encoding the SDK sends, as read in its source. */
  readonly wire: { readonly contentType: string; readonly contentEncoding: string | undefined };
  open(options: { readonly writeKey: string; readonly url: string; readonly flushAt: number }): SdkSession;
}

/** Bookkeeping shared by both adapters: one callback per call. */
function tally(): { failures: unknown[]; outstanding: number; done: (err?: unknown) => void } {
  const state = {
    failures: [] as unknown[],
    outstanding: 0,
    done: (err?: unknown) => {
      state.outstanding--;
      if (err) state.failures.push(err);
    },
  };
  return state;
}

/**
 * `@segment/analytics-node` 3: posts `{batch, writeKey, sentAt}` as `application/json` to `host + path`
 * (`/v1/batch`) through `fetch`. It retries 5xx (but 501, 505) with backoff `500 ms × 2^n × (1..2)`,
 * which has no option, so one 500 costs 1–2 s; a 429 with `Retry-After` pauses the publisher that long
 * without spending a retry (see src/plugins/segmentio/publisher.ts).
 */
export const segmentSdk: SdkUnderTest = {
  name: '@segment/analytics-node',
  wire: { contentType: 'application/json', contentEncoding: undefined },
  open({ writeKey, url, flushAt }) {
    const analytics = new SegmentAnalytics({
      writeKey,
      host: url,
      flushAt,
      flushInterval: 200,
      maxRetries: 3,
      httpRequestTimeout: 5_000,
    });
    const t = tally();
    return {
      send(call) {
        t.outstanding++;
        const context = { testTag: call.tag };
        switch (call.type) {
          case 'identify':
            return analytics.identify({ ...call.who, traits: call.traits, context }, t.done);
          case 'track':
            return analytics.track({ ...call.who, event: call.event, context }, t.done);
          case 'page':
            return analytics.page({ ...call.who, name: call.name, context }, t.done);
          case 'screen':
            return analytics.screen({ ...call.who, name: call.name, context }, t.done);
          case 'group':
            return analytics.group(
              { ...call.who, groupId: call.groupId, traits: call.traits, context },
              t.done,
            );
          case 'alias':
            return analytics.alias({ userId: call.userId, previousId: call.previousId, context }, t.done);
        }
      },
      flush: () => analytics.flush({ timeout: 20_000 }),
      close: () => analytics.closeAndFlush({ timeout: 20_000 }),
      get failures() {
        return t.failures;
      },
      get outstanding() {
        return t.outstanding;
      },
    };
  },
};

/**
 * `@rudderstack/rudder-sdk-node` 3: gzips the batch and posts the Buffer through axios, which labels a
 * Buffer body `application/x-www-form-urlencoded`; `Content-Encoding: gzip`. axios-retry retries 5xx,
 * 429 and network errors `retryCount` times (default 3) with `exponentialDelay`: 200 ms, 400 ms, …, or
 * `Retry-After` when that is longer. One `flush()` sends at most `flushAt` messages, so draining the
 * queue takes a loop. Batches can be in flight together (`flush` does not wait for a retrying one).
 */
export const rudderSdk: SdkUnderTest = {
  name: '@rudderstack/rudder-sdk-node',
  wire: { contentType: 'application/x-www-form-urlencoded', contentEncoding: 'gzip' },
  open({ writeKey, url, flushAt }) {
    const t = tally();
    const client = new RudderAnalytics(writeKey, {
      dataPlaneUrl: url,
      gzip: true,
      flushAt,
      flushInterval: 200,
      retryCount: 3,
      axiosConfig: { timeout: 5_000 },
      logLevel: 'none',
      // With a handler, a failed flush reports through the callbacks instead of rejecting.
      errorHandler: () => undefined,
    });
    // `flush()` resolves with the latest request only; an earlier batch may still be retrying, and
    // callbacks run on setImmediate after their request settles. So: flush, then wait for the callbacks.
    const flush = async (): Promise<void> => {
      const deadline = Date.now() + 20_000;
      while (t.outstanding > 0 && Date.now() < deadline) {
        await client.flush();
        if (t.outstanding > 0) await sleep(20);
      }
    };
    return {
      send(call) {
        t.outstanding++;
        const context = { testTag: call.tag };
        switch (call.type) {
          case 'identify':
            return void client.identify({ ...call.who, traits: call.traits, context }, t.done);
          case 'track':
            return void client.track({ ...call.who, event: call.event, context }, t.done);
          case 'page':
            return void client.page({ ...call.who, name: call.name, context }, t.done);
          case 'screen':
            return void client.screen({ ...call.who, name: call.name, context }, t.done);
          case 'group':
            return void client.group(
              { ...call.who, groupId: call.groupId, traits: call.traits, context },
              t.done,
            );
          case 'alias':
            return void client.alias({ userId: call.userId, previousId: call.previousId, context }, t.done);
        }
      },
      flush,
      close: flush,
      get failures() {
        return t.failures;
      },
      get outstanding() {
        return t.outstanding;
      },
    };
  },
};
