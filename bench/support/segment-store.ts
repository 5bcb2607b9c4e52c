/**
 * A large store for the batch segment benchmark, generated through the engine's own write path: each
 * person's messages (one `identify`, then shop events over the past year, as `shop-messages.ts`
 * renders them) are normalised as ingest does (`normalizeMessage`), resolved to profiles
 * (`resolveBatch`), folded into computed traits and per-condition state with every segment evaluated
 * (`applySegmentsToBatch`, with the orders fold) and written by `store.commitBatch`, a few thousand
 * people per transaction. The result is what the engine would hold after processing that history as
 * a backlog at `GENERATED_AT`: events, identities, profile state JSON, memberships and their history
 * (`segment_changes`; the `Segment Entered` events are not stored twice) and re-evaluation timers. Only the inbox is skipped.
 *
 * The file is cached under the temp dir, keyed by the parameters, the segments and this generator's
 * version, so reruns skip generation.
 */
import Database from 'better-sqlite3';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EpochMs, ProfileId } from '../../src/core/brand.js';
import { foldComputedTraits } from '../../src/core/computed/computed-traits.js';
import { normalizeMessage, type InboundMessage } from '../../src/core/messages/inbound-message.js';
import type { SegmentMessage } from '../../src/core/messages/segment-schema.js';
import { resolveBatch, type BatchInput } from '../../src/core/profiles/resolve-batch.js';
import { createRandom, hashString, pick, type Random } from '../../src/core/random.js';
import { applySegmentsToBatch } from '../../src/core/segments/apply-to-batch.js';
import type { SegmentDefinition } from '../../src/core/segments/definition.js';
import { prepareSegments } from '../../src/core/segments/segment-step.js';
import { createProfileId } from '../../src/engine/ids.js';
import { openSqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { createMessagePool, createTraits, createWebDevice, type ShopAction } from './shop-messages.js';
import { budgetOf } from './shop-traffic.js';

/** "Now" of the generated history; the benchmark evaluates segments at this moment. */
export const GENERATED_AT = Date.UTC(2026, 0, 1) as EpochMs;
const GENERATOR_VERSION = 1;
const DAY = 86_400_000;
/** People per transaction. */
const CHUNK = 2000;

const ACTIONS: readonly (readonly [ShopAction, number])[] = [
  ['Page Viewed', 0.2],
  ['Product Viewed', 0.4],
  ['Products Searched', 0.12],
  ['Product Added', 0.13],
  ['Checkout Started', 0.08],
  ['Order Completed', 0.07],
];
const COUNTRIES = ['TR', 'TR', 'DE', 'DE', 'GB', 'US', 'US', 'US', 'FR', 'NL'];

function pickAction(rng: Random): ShopAction {
  let r = rng.next();
  for (const [action, weight] of ACTIONS) {
    if (r < weight) return action;
    r -= weight;
  }
  return 'Product Viewed';
}

export interface GeneratedStore {
  readonly path: string;
  readonly generated: boolean;
  readonly seconds: number;
}

export interface GenerateOptions {
  readonly profiles: number;
  readonly events: number;
  readonly seed: number;
  readonly segments: readonly SegmentDefinition[];
  readonly log: (message: string) => void;
}

/** The cached database for these parameters, generated first if it is not there yet. */
export async function ensureSegmentStore(options: GenerateOptions): Promise<GeneratedStore> {
  // Later migrations apply to a cached file when the store opens it, so the schema is not in the key.
  const segments = hashString(JSON.stringify(options.segments)).toString(36);
  const key = `p${options.profiles}-e${options.events}-s${options.seed}-v${GENERATOR_VERSION}-${segments}`;
  const dir = join(tmpdir(), 'orkestra-bench-segments', key);
  const path = join(dir, 'orkestra.db');
  if (existsSync(join(dir, 'complete'))) return { path, generated: false, seconds: 0 };
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = performance.now();
  await generate(path, options);
  writeFileSync(join(dir, 'complete'), new Date().toISOString());
  return { path, generated: true, seconds: (performance.now() - started) / 1000 };
}

/** One person's messages, oldest first: an identify, then shop events spread over their active span. */
function messagesOf(
  options: GenerateOptions,
  index: number,
  pool: ReturnType<typeof createMessagePool>,
): InboundMessage[] {
  const rng = createRandom(hashString(`${options.seed}:person:${index}`));
  const budget = budgetOf(options, index);
  const device = createWebDevice(rng);
  const userId = `user-${index}`;
  // Most people were active recently; some lapsed months ago.
  const end = GENERATED_AT - Math.floor(rng.next() ** 2 * 365 * DAY);
  const span = Math.floor(rng.next() * 120 * DAY);
  const times = Array.from({ length: budget }, () => end - Math.floor(rng.next() * span)).sort(
    (a, b) => a - b,
  );
  const traits = { ...createTraits(rng, index), country: pick(rng, COUNTRIES) };
  const out: InboundMessage[] = [];
  for (let step = 0; step < budget; step++) {
    const at = times[step]!;
    const timestamp = new Date(at).toISOString();
    const ids = { messageId: `gen-${index.toString(36)}-${step.toString(36)}`, device, userId, timestamp };
    const raw: SegmentMessage =
      step === 0
        ? {
            type: 'identify',
            messageId: ids.messageId,
            anonymousId: device.anonymousId,
            userId,
            traits,
            context: { library: { name: 'analytics.js', version: 'npm:next-1.70.0' } },
            timestamp,
          }
        : (JSON.parse(pool.render(rng, pickAction(rng), ids)) as SegmentMessage);
    out.push(normalizeMessage(raw, { receivedAt: at + 150, newMessageId: () => ids.messageId }));
  }
  return out;
}

async function generate(path: string, options: GenerateOptions): Promise<void> {
  const store = openSqliteStore({ path, synchronous: 'normal' });
  for (const d of options.segments) await store.saveSegment(d, GENERATED_AT);
  const prepared = prepareSegments(options.segments);
  if (!prepared.ok) throw new Error(prepared.error);
  const pool = createMessagePool(createRandom(options.seed ^ 0x2545f491));
  let nextId = 0;
  const newProfileId = (): ProfileId => createProfileId(GENERATED_AT - 400 * DAY + nextId++);
  let events = 0;
  let lastLog = performance.now();
  for (let first = 0; first < options.profiles; first += CHUNK) {
    const inputs: BatchInput[] = [];
    for (let i = first; i < Math.min(first + CHUNK, options.profiles); i++) {
      for (const message of messagesOf(options, i, pool)) inputs.push({ seq: 0, message });
    }
    const plan = resolveBatch(
      inputs,
      { identities: new Map(), profiles: new Map() },
      { newProfileId, mergeOnEmail: true },
    );
    const write = applySegmentsToBatch(plan, prepared.value, GENERATED_AT, [foldComputedTraits]);
    await store.commitBatch(write);
    await store.maintain?.();
    events += inputs.length;
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      const done = Math.min(first + CHUNK, options.profiles);
      options.log(
        `  generating: ${done.toLocaleString('en-US')} / ${options.profiles.toLocaleString('en-US')} people, ` +
          `${events.toLocaleString('en-US')} events`,
      );
    }
  }
  await store.close();
  // Checkpoint the WAL into the main file, so every run starts from the same files.
  const db = new Database(path);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}
