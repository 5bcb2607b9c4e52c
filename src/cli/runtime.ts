import type { FastifyInstance } from 'fastify';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { MS_PER_DAY, type EpochMs } from '../core/brand.js';
import type { RateLimit } from '../core/rate-limit.js';
import { DEFAULT_BURST_POLICY, describeBurst } from '../engine/burst-priority.js';
import { GroupCommitter } from '../engine/group-commit.js';
import { createProfileId } from '../engine/ids.js';
import { ProfileEngine, type EngineHandle } from '../engine/profile-engine.js';
import { WorkerEngine } from '../engine/worker-engine.js';
import { SegmentService } from '../engine/segment-service.js';
import { JourneyService } from '../engine/journey-service.js';
import { JourneyWebhookDispatcher } from '../engine/journey-webhooks.js';
import { ClvService } from '../engine/clv-service.js';
import { ComputedTraitsService } from '../engine/computed-traits-service.js';
import { JobBoard } from '../engine/job-board.js';
import { JobSchedule } from '../engine/job-schedule.js';
import { RfmService } from '../engine/rfm-service.js';
import { createServer } from '../server/app.js';
import { createInboxFence, openSqliteStore } from '../store/sqlite/sqlite-store.js';
import { openSqliteMessaging } from '../store/sqlite/sqlite-messaging.js';
import { MessagingService } from '../engine/dispatch/messaging-service.js';
import { resolveSecretKey } from '../engine/dispatch/secret-box.js';
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
  /** The clock; tests pass a controllable one (which keeps the engine in this thread). */
  readonly clock?: () => EpochMs;
  /**
   * Where the profile engine runs: `worker` (default) applies the inbox on a second core, `inline` in
   * this thread (tests with a controllable clock, and machines with one core).
   */
  readonly engineThread?: 'worker' | 'inline';
  /**
   * Nice value (0–19) of the engine's and checkpoints' threads (`ORKESTRA_BACKGROUND_NICE`; default
   * 0, the HTTP thread's). Above 0 the HTTP thread is scheduled first when the cores are busy: bursts
   * are acknowledged faster (batch ingest +5–15 % on 2 cores) and applied later (real-time membership
   * p99 about 15 ms worse with the load generator on the same machine). See the README.
   */
  readonly backgroundNice?: number;
  /**
   * The engine thread's nice value while it is far behind ingest (`BurstPriority`: from a backlog of
   * 5,000 entries until it is down to 500, for 10 s at most), where the thread may return to its own
   * priority after; 0 turns it off. Default 19.
   */
  readonly burstNice?: number;
  /** How often RFM scores are recomputed (default daily; 0: only on demand). */
  readonly rfmEveryMs?: number;
  /** How often the predicted-value models are refitted (default daily; 0: only on demand). */
  readonly clvEveryMs?: number;
  /** Predicted-value horizon in weeks (default 52). */
  readonly clvHorizonWeeks?: number;
  /** Predicted-value discount rate per month (default 0.01). */
  readonly clvDiscountRate?: number;
  /** Public base URL (https) of this server, for unsubscribe, preference and tracking links. */
  readonly publicUrl?: string | undefined;
  /** Value of one unit of each currency in the reporting currency, for spend models (see ClvService). */
  readonly currencyRates?: Readonly<Record<string, number>>;
  /** Days the inputs of ended journey runs are kept (default 30); pruned daily. */
  readonly journeyInputRetentionDays?: number;
  /** Keys the in-app inbox's user tokens (`ORKESTRA_INBOX_SECRET`); else the data directory's own. */
  readonly inboxSecret?: string | undefined;
  /** `whsec_…` secret journey webhook calls are signed with; else the data directory's own. */
  readonly journeyWebhookSecret?: string | undefined;
}

/**
 * Illustrative rates into USD for the currencies the demo shop sells in; a shop sets its own
 * (`ORKESTRA_CURRENCY_RATES`), since these are not kept current.
 */
export const DEFAULT_CURRENCY_RATES: Readonly<Record<string, number>> = {
  USD: 1,
  EUR: 1.08,
  GBP: 1.27,
  TRY: 0.029,
};

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
  readonly engine: EngineHandle;
  readonly committer: GroupCommitter;
  readonly segments: SegmentService;
  readonly messaging: MessagingService;
  readonly journeys: JourneyService;
  /** Makes journeys' webhook calls and feeds responses back to their runs. */
  readonly journeyWebhooks: JourneyWebhookDispatcher;
  readonly rfm: RfmService;
  readonly clv: ClvService;
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
  prefix: string | (() => string),
): Promise<string> {
  if (given) return given;
  const saved = await store.getSetting(name);
  if (saved) return saved;
  const key = typeof prefix === 'function' ? prefix() : `${prefix}_${randomBytes(18).toString('base64url')}`;
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
  const inboxFence = createInboxFence();
  const store = openSqliteStore({
    path: join(config.dataDir, 'orkestra.db'),
    inboxFence: { buffer: inboxFence, role: 'append' },
    synchronous: config.synchronous,
    onMigrate: (line) => console.error(`orkestra: ${line}`),
  });
  const writeKey = await settleKey(store, 'write_key', config.writeKey, 'wk');
  const adminKey = await settleKey(store, 'admin_key', config.adminKey, 'ak');
  const inboxSecret = await settleKey(store, 'inbox_secret', config.inboxSecret, () =>
    randomBytes(32).toString('hex'),
  );
  const dbPath = join(config.dataDir, 'orkestra.db');
  const messagingPorts = openSqliteMessaging({ path: dbPath, synchronous: config.synchronous });
  const messaging = new MessagingService({
    store,
    ports: messagingPorts,
    key: resolveSecretKey({ env: process.env, dataDir: config.dataDir }),
    clock,
    publicUrl: () => config.publicUrl ?? url,
    append: (entries) => committer.append(entries),
  });
  const inline = config.engineThread === 'inline' || config.clock !== undefined;
  const engine: EngineHandle = inline
    ? new ProfileEngine({
        store,
        clock,
        mergeOnEmail: config.mergeOnEmail,
        newProfileId: () => createProfileId(),
      })
    : new WorkerEngine({
        store,
        workerData: {
          dbPath,
          synchronous: config.synchronous,
          mergeOnEmail: config.mergeOnEmail,
          nice: config.backgroundNice ?? 0,
          ...(config.burstNice === undefined ? {} : { burstNice: config.burstNice }),
          inboxFence,
        },
        onBurst: (on, backlog) =>
          console.error(`orkestra: ${describeBurst(on, backlog, DEFAULT_BURST_POLICY)}`),
      });
  const committer = new GroupCommitter({
    store,
    clock,
    dedupeWindowMs: config.dedupeWindowDays * MS_PER_DAY,
    onCommit: () => engine.kick(),
  });
  const jobs = new JobBoard(clock);
  const segments = new SegmentService({ store, engine, clock, jobs });
  const journeys = new JourneyService({
    store,
    committer,
    engine,
    clock,
    templates: messagingPorts.templates,
    inputRetentionDays: config.journeyInputRetentionDays ?? 30,
  });
  const journeyWebhooks = new JourneyWebhookDispatcher({
    store,
    append: (entries) => committer.append(entries),
    clock,
    secrets: [
      config.journeyWebhookSecret ??
        (await settleKey(
          store,
          'journey_webhook_secret',
          undefined,
          () => `whsec_${randomBytes(24).toString('base64')}`,
        )),
    ],
  });
  const rfm = new RfmService({ store, engine, clock, jobs });
  const traits = new ComputedTraitsService({ store, engine, clock, jobs });
  const clv = new ClvService({
    store,
    engine,
    clock,
    jobs,
    ...(config.clvHorizonWeeks !== undefined ? { horizonWeeks: config.clvHorizonWeeks } : {}),
    ...(config.clvDiscountRate !== undefined ? { discountRate: config.clvDiscountRate } : {}),
    currencyRates: config.currencyRates ?? DEFAULT_CURRENCY_RATES,
  });
  const schedules = [
    new JobSchedule({
      name: 'rfm',
      everyMs: config.rfmEveryMs ?? MS_PER_DAY,
      store,
      clock,
      run: () => rfm.recompute(),
    }),
    new JobSchedule({
      name: 'clv',
      everyMs: config.clvEveryMs ?? MS_PER_DAY,
      store,
      clock,
      run: () => clv.refit(),
    }),
    new JobSchedule({
      name: 'journey-inputs',
      everyMs: MS_PER_DAY,
      store,
      clock,
      run: () => journeys.pruneInputs(),
    }),
  ];
  const app = await createServer({
    store,
    committer,
    engine,
    segments,
    computed: { rfm, clv, traits },
    jobs,
    messaging,
    journeys,
    clock,
    writeKeys: [writeKey],
    adminKey,
    inboxSecret,
    rateLimit: config.rateLimit,
    logger: config.logger,
  });
  await engine.start();
  await messaging.start();
  journeyWebhooks.start();
  for (const schedule of schedules) await schedule.start();
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
    messaging,
    journeys,
    journeyWebhooks,
    rfm,
    clv,
    url,
    writeKey,
    adminKey,
    async close() {
      clearInterval(pruner);
      await app.close();
      await messaging.stop();
      await journeyWebhooks.stop();
      for (const schedule of schedules) await schedule.stop();
      await engine.stop();
      await store.close();
      messagingPorts.close();
    },
  };
}
