import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MS_PER_DAY, type EpochMs } from '../core/brand.js';
import { generateDemoShop } from '../core/demo/generate-demo-shop.js';
import { summarizeDemoShop, type DemoShopSummary } from '../core/demo/summarize-demo-shop.js';
import { segmentDefinitionSchema, type SegmentDefinition } from '../core/segments/definition.js';
import type { ClvRefitResult } from '../engine/clv-service.js';
import type { RfmSummary } from '../engine/rfm-service.js';
import type { Runtime } from './runtime.js';

/** The repository's `segments/` folder: segment definitions as JSON files, loaded with the demo. */
export const SEGMENTS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'segments');
/** The repository's `journeys/` folder: the library of e-commerce journeys, published with the demo. */
export const JOURNEYS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'journeys');
const LOADED_KEY = 'demo_loaded_at';
/** Within Segment's batch limits (500 KB, 2,500 messages), with room to spare. */
const BATCH_BYTES = 400_000;
const BATCH_MESSAGES = 1000;

/** `/v1/batch` bodies of consecutive messages, each within the limits. */
function* batchBodies(messages: readonly unknown[]): Generator<{ body: string; count: number }> {
  let parts: string[] = [];
  let bytes = 0;
  for (const message of messages) {
    const json = JSON.stringify(message);
    if (parts.length > 0 && (bytes + json.length > BATCH_BYTES || parts.length >= BATCH_MESSAGES)) {
      yield { body: `{"batch":[${parts.join(',')}]}`, count: parts.length };
      parts = [];
      bytes = 0;
    }
    parts.push(json);
    bytes += Buffer.byteLength(json) + 1;
  }
  if (parts.length > 0) yield { body: `{"batch":[${parts.join(',')}]}`, count: parts.length };
}

export interface DemoLoadResult {
  readonly summary: DemoShopSummary;
  readonly rfm: RfmSummary;
  readonly clv: ClvRefitResult;
  readonly segments: readonly { id: string; name: string; members: number }[];
  readonly seconds: number;
}

/** Every `*.json` in `dir`, validated as a segment definition (a bad file is an error naming it). */
export function readSegmentFiles(dir: string): SegmentDefinition[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => {
      const parsed = segmentDefinitionSchema.safeParse(JSON.parse(readFileSync(join(dir, file), 'utf8')));
      if (!parsed.success) throw new Error(`${file}: ${parsed.error.message}`);
      return parsed.data;
    });
}

/**
 * Loads the demo shop into a fresh instance: the segment definitions of `segments/`, then four weeks of
 * a small shop's Segment traffic ending this hour, sent through the instance's own `/v1/batch` so it
 * takes exactly the path real traffic takes. Generated from a fixed seed: the same people, visits and
 * orders every time, shifted to end now. Does nothing (returns undefined) when the instance already
 * has data or has loaded the demo before.
 * @example const loaded = await loadDemo(runtime, { seed: 1, now: Date.now(), progress: console.error });
 */
export async function loadDemo(
  runtime: Runtime,
  options: { seed: number; now: number; progress?: (done: number, total: number) => void },
): Promise<DemoLoadResult | undefined> {
  const { store } = runtime;
  if ((await store.getSetting(LOADED_KEY)) !== undefined || (await store.countProfiles()) > 0)
    return undefined;
  const started = performance.now();
  const definitions = readSegmentFiles(SEGMENTS_DIR);
  for (const definition of definitions) {
    const saved = await runtime.segments.save(definition);
    if (!saved.ok) throw new Error(`segment ${definition.id}: ${saved.error}`);
  }
  for (const file of readdirSync(JOURNEYS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const definition: unknown = JSON.parse(readFileSync(join(JOURNEYS_DIR, file), 'utf8'));
    const id = String((definition as { id?: unknown }).id);
    // The library's templates are the shop's to write; the demo publishes the journeys without them.
    const published = await runtime.journeys.publish(id, {
      definition,
      migrate: false,
      onlyIfChanged: true,
      allowMissingTemplates: true,
    });
    if (!published.ok)
      throw new Error(`journey ${file}: ${published.error.map((p) => p.message).join('; ')}`);
  }
  const end = (Math.floor(options.now / (MS_PER_DAY / 24)) * (MS_PER_DAY / 24)) as EpochMs;
  const shop = generateDemoShop({ seed: options.seed, end });
  const authorization = `Basic ${Buffer.from(`${runtime.writeKey}:`).toString('base64')}`;
  let sent = 0;
  for (const payload of batchBodies(shop.messages)) {
    const response = await runtime.app.inject({
      method: 'POST',
      url: '/v1/batch',
      headers: { authorization, 'content-type': 'application/json' },
      payload: payload.body,
    });
    if (response.statusCode !== 200) throw new Error(`demo batch refused: ${response.body}`);
    sent += payload.count;
    options.progress?.(sent, shop.messages.length);
  }
  await runtime.engine.drain();
  // Score the customers now rather than at the first scheduled run, so the tour shows them.
  const rfm = await runtime.rfm.recompute();
  const clv = await runtime.clv.refit();
  await store.setSetting(LOADED_KEY, new Date(options.now).toISOString());
  const segments = [];
  for (const d of definitions) {
    segments.push({ id: d.id, name: d.name, members: (await store.memberIds(d.id)).length });
  }
  const seconds = (performance.now() - started) / 1000;
  return { summary: summarizeDemoShop(shop), rfm, clv, segments, seconds };
}
