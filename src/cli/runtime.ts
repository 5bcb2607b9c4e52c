import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MS_PER_DAY, type EpochMs } from '../core/brand.js';
import type { RateLimit } from '../core/rate-limit.js';
import { GroupCommitter } from '../engine/group-commit.js';
import { createProfileId } from '../engine/ids.js';
import { ProfileEngine } from '../engine/profile-engine.js';
import { SegmentService } from '../engine/segment-service.js';
import { createServer } from '../server/app.js';
import { openSqliteStore } from '../store/sqlite/sqlite-store.js';
import type { Store } from '../store/store.js';

export interface RuntimeConfig {
  readonly dataDir: string;
  readonly port: number;
  readonly host: string;
  /** Replaces the generated write key when set. */
  readonly writeKey?: string | undefined;
  /** Replaces the generated admin key when set. */
  readonly adminKey?: string | undefined;
  readonly dedupeWindowDays: number;
  readonly mergeOnEmail: boolean;
  readonly rateLimit: RateLimit;
  readonly synchronous: 'full' | 'normal';
  readonly logger: boolean;
  /** The clock; tests pass a controllable one. */
  readonly clock?: () => EpochMs;
}

export const DEFAULT_CONFIG: Omit<RuntimeConfig, 'dataDir' | 'port'> = {
  host: '0.0.0.0',
  dedupeWindowDays: 7,
  mergeOnEmail: true,
  rateLimit: { perSecond: 50_000, burst: 250_000 },
  synchronous: 'full',
  logger: false,
};

export interface Runtime {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly engine: ProfileEngine;
  readonly committer: GroupCommitter;
  readonly segments: SegmentService;
  readonly url: string;
  readonly writeKey: string;
  readonly adminKey: string;
  close(): Promise<void>;
}

const systemClock = (): EpochMs => Date.now() as EpochMs;

/** A key from the environment, else the one this data directory already has, else a new one. */
async function settleKey(
  store: Store,
  name: string,
  given: string | undefined,
  prefix: string,
): Promise<string> {
  if (given) return given;
  const saved = await store.getSetting(name);
  if (saved) return saved;
  const key = `${prefix}_${randomBytes(18).toString('base64url')}`;
  await store.setSetting(name, key);
  return key;
}

/**
 * The composition root: opens the embedded store, builds the group committer, the profile engine and
 * the HTTP server, and starts them. Everything concrete is chosen here and nowhere else.
 * @example const rt = await startRuntime({ ...DEFAULT_CONFIG, dataDir: '.orkestra', port: 3000 });
 */
export async function startRuntime(config: RuntimeConfig): Promise<Runtime> {
  const clock = config.clock ?? systemClock;
  const store = openSqliteStore({
    path: join(config.dataDir, 'orkestra.db'),
    synchronous: config.synchronous,
  });
  const writeKey = await settleKey(store, 'write_key', config.writeKey, 'wk');
  const adminKey = await settleKey(store, 'admin_key', config.adminKey, 'ak');
  const engine = new ProfileEngine({
    store,
    clock,
    mergeOnEmail: config.mergeOnEmail,
    newProfileId: () => createProfileId(),
  });
  const committer = new GroupCommitter({
    store,
    clock,
    dedupeWindowMs: config.dedupeWindowDays * MS_PER_DAY,
    onCommit: () => engine.kick(),
  });
  const segments = new SegmentService({ store, engine, clock });
  const app = await createServer({
    store,
    committer,
    engine,
    segments,
    clock,
    writeKeys: [writeKey],
    adminKey,
    rateLimit: config.rateLimit,
    logger: config.logger,
  });
  await engine.start();
  await store.pruneDedupe((clock() - config.dedupeWindowDays * MS_PER_DAY) as EpochMs);
  const pruner = setInterval(
    () => void store.pruneDedupe((clock() - config.dedupeWindowDays * MS_PER_DAY) as EpochMs),
    60 * 60 * 1000,
  );
  pruner.unref();
  const address = await app.listen({ port: config.port, host: config.host });
  const url =
    config.host === '0.0.0.0'
      ? `http://localhost:${(app.server.address() as { port: number }).port}`
      : address;
  return {
    app,
    store,
    engine,
    committer,
    segments,
    url,
    writeKey,
    adminKey,
    async close() {
      clearInterval(pruner);
      await app.close();
      await engine.stop();
      await store.close();
    },
  };
}
