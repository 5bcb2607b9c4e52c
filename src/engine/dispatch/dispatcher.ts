import type { CompiledTemplate } from '../../channels/render/compile-template.js';
import { createMessageRenderer, type MessageRenderer } from '../../channels/render/render-message.js';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import type { Profile } from '../../core/profiles/profile.js';
import type {
  ConsentStore,
  DeliveryRecord,
  DeliveryUpdate,
  OutboxStore,
  PlannedSend,
  Store,
  TemplateStore,
} from '../../store/store.js';
import { addressesOf, chooseChannel, remainingChannels } from './choose-channel.js';
import { loadConsentPolicy, type ConsentPolicy } from './consent-policy.js';
import { distinctLanes, laneFor, type LaneKey } from './lane-key.js';
import type { ProviderLane } from './provider-lane.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry-policy.js';
import { createClaimWriter, createOutboxWriter } from './outbox-writer.js';
import { runSendJob, type Decorate, type SendJobContext } from './send-job.js';

export interface DispatcherOptions {
  readonly outbox: OutboxStore;
  readonly store: Pick<Store, 'loadProfiles' | 'getProfile' | 'getSetting'>;
  readonly templates: TemplateStore;
  readonly consent: ConsentStore;
  /**
   * The lane of the provider that sends each channel (mobile push: each token platform, see `LaneKey`);
   * read on every pass, so provider changes apply.
   */
  readonly lanes: () => ReadonlyMap<LaneKey, ProviderLane>;
  readonly clock: () => EpochMs;
  readonly random?: () => number;
  readonly renderer?: MessageRenderer;
  readonly decorate?: Decorate;
  readonly extraContext?: SendJobContext['extraContext'];
  readonly onInvalidToken?: SendJobContext['onInvalidToken'];
  readonly retry?: RetryPolicy;
  /** Deliveries read per pass. */
  readonly batchSize?: number;
  /** How long an idle loop waits before looking again (planned sends from the engine's thread). */
  readonly pollMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The outbox dispatcher: on the main thread, its own loop. Each pass reads due deliveries, checks
 * consent and suppressions again (ARCHITECTURE.md invariant 6), chooses the channel, and hands the
 * send to its provider's lane, which applies that provider's concurrency, rate limit and circuit
 * breaker. A lane that cannot take a send now leaves it in the outbox with a later due time, so one
 * slow provider never holds up another. Deliveries in the lanes are claimed in memory only: after a
 * crash they are simply due again, and those already marked `sending` are reconciled on start.
 * @example const d = new Dispatcher({ outbox, store, templates, consent, lanes, clock }); await d.start();
 */
export class Dispatcher {
  private readonly claimed = new Set<number>();
  private readonly compiled = new Map<string, CompiledTemplate>();
  private readonly job: SendJobContext;
  private running = false;
  /** The last pass left deliveries due because their lane was full. */
  private busy = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly options: DispatcherOptions) {
    this.job = {
      update: createOutboxWriter(options.outbox),
      claim: createClaimWriter(options.outbox, options.clock),
      renderer: options.renderer ?? createMessageRenderer(),
      template: (id, version) => this.template(id, version),
      decorate: options.decorate,
      extraContext: options.extraContext,
      onInvalidToken: options.onInvalidToken,
      clock: options.clock,
      random: options.random ?? Math.random,
      retry: options.retry ?? DEFAULT_RETRY_POLICY,
    };
  }

  /**
   * Reconciles deliveries left `sending` by a crash (resent only on providers that drop repeats, see
   * `ChannelProvider.idempotent`), then starts the loop.
   */
  async start(): Promise<void> {
    const idempotent = new Set(
      distinctLanes(this.options.lanes())
        .filter((l) => l.provider.idempotent)
        .map((l) => l.provider.name),
    );
    await this.options.outbox.reconcile(this.options.clock(), idempotent);
    this.running = true;
    this.loop = this.run();
  }

  /** Stops reading the outbox and waits for sends in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.idle();
  }

  /** Asks for a pass now (after planning a send). */
  kick(): void {
    this.wake?.();
  }

  /** One pass, then waits for its sends: for tests with a controllable clock. */
  async runOnce(): Promise<number> {
    const n = await this.pass();
    await this.idle();
    return n;
  }

  private async idle(): Promise<void> {
    await Promise.all(distinctLanes(this.options.lanes()).map((lane) => lane.idle()));
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.pass();
      } catch (e) {
        (this.options.onError ?? console.error)(e);
      }
      if (handled > 0 || !this.running) continue;
      // Full lanes: look again as soon as one of their sends finishes, not after the poll interval.
      const room = this.busy ? distinctLanes(this.options.lanes()).map((l) => l.whenRoom()) : [];
      await new Promise<void>((resolve) => {
        void Promise.race(room.length > 0 ? room : [new Promise<void>(() => {})]).then(resolve);
        const timer = setTimeout(resolve, this.options.pollMs ?? 250);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /**
   * Reads due deliveries and hands each to its lane; returns how many were started or settled. The
   * batch's consent and suppressions are read in two queries, skips are written in one transaction,
   * and a delivery whose lane is full is left as it is, due, for a later pass.
   */
  async pass(): Promise<number> {
    const { outbox, clock } = this.options;
    const lanes = this.options.lanes();
    const fallbacks = await this.fallbacks(new Set(lanes.keys()));
    const room = distinctLanes(lanes).reduce((sum, lane) => sum + lane.room(), 0);
    this.busy = lanes.size > 0 && room === 0;
    if (this.busy) return fallbacks;
    const limit = Math.min(this.options.batchSize ?? 200, Math.max(room, 1));
    const rows = (await outbox.due(clock(), limit + this.claimed.size)).filter(
      (r) => !this.claimed.has(r.id),
    );
    if (rows.length === 0) return fallbacks;
    const batch = rows.slice(0, limit);
    const profiles = await this.profiles(batch.map((r) => r.profileId));
    const { policy, given, suppressed } = await this.checks([...profiles.values()]);
    const skipped: { id: number; change: DeliveryUpdate }[] = [];
    let started = 0;
    for (const d of batch) {
      const profile = profiles.get(d.profileId);
      const decision = profile
        ? chooseChannel({
            choice: d.channel,
            profile,
            category: d.category,
            topic: d.topic,
            subscriptions: { ...profile.subscriptions, ...given.get(profile.id) },
            policy,
            suppressed: suppressed.get(profile.id) ?? new Set(),
            available: new Set(lanes.keys()),
          })
        : ({ ok: false, reason: 'profile not found' } as const);
      if (!decision.ok || !profile) {
        const event = { status: 'skipped', at: clock(), detail: decision.reason };
        skipped.push({ id: d.id, change: { status: 'skipped', reason: decision.reason, event } });
        continue;
      }
      // The choice only takes an address whose platform has a lane (an iOS token never goes to FCM's
      // Android-only lane, nor an FCM token to APNs).
      const lane = laneFor(lanes, decision.channel, decision.address.platform)!;
      if (!lane.hasRoom()) {
        this.busy = true;
        continue;
      }
      this.claimed.add(d.id);
      const admitted = lane.admit(clock(), () =>
        runSendJob(this.job, { delivery: d, profile, decision, lane }).finally(() =>
          this.claimed.delete(d.id),
        ),
      );
      if (admitted.ok) started++;
      else {
        this.claimed.delete(d.id);
        await outbox.defer(d.id, admitted.retryAt as EpochMs);
      }
    }
    await outbox.updateMany(skipped);
    return fallbacks + skipped.length + started;
  }

  /** Consent policy, consent given and suppressed addresses of a batch's profiles, in three reads. */
  private async checks(profiles: readonly Profile[]): Promise<{
    policy: ConsentPolicy;
    given: Map<ProfileId, Record<string, boolean>>;
    suppressed: Map<ProfileId, Set<string>>;
  }> {
    const policy = await loadConsentPolicy(this.options.store);
    const given = await this.options.consent.consentsOfMany(profiles.map((p) => p.id));
    const suppressed = await this.suppressed(profiles);
    return { policy, given, suppressed };
  }

  /**
   * Timed channel fallback: a send accepted on one channel of a list (or `best`) with no `delivered`
   * (for email, `opened` or `clicked`) outcome within its `fallbackAfterMs` is planned again on the
   * next eligible channel not tried yet, under the key `<original key>:fallback:<channel>` (so it is
   * never planned twice), with the reason on both deliveries. Runs before due deliveries are read, so
   * the fallback goes out in the same pass.
   */
  private async fallbacks(available: ReadonlySet<LaneKey>): Promise<number> {
    const { outbox, clock } = this.options;
    const due = await outbox.fallbacksDue(clock(), this.options.batchSize ?? 200);
    if (due.length === 0) return 0;
    const profiles = await this.profiles(due.map((d) => d.profileId));
    const { policy, given, suppressed } = await this.checks([...profiles.values()]);
    for (const d of due) {
      const at = clock();
      const profile = profiles.get(d.profileId);
      const from = d.chosenChannel;
      const why = `${from ?? 'the first channel'} not delivered within ${duration(d.fallbackAfterMs ?? 0)}`;
      const rest = profile && from ? remainingChannels(d.channel, profile, from) : [];
      const decision =
        profile && rest.length > 0
          ? chooseChannel({
              choice: rest,
              profile,
              category: d.category,
              topic: d.topic,
              subscriptions: { ...profile.subscriptions, ...given.get(profile.id) },
              policy,
              suppressed: suppressed.get(profile.id) ?? new Set(),
              available,
            })
          : ({ ok: false, reason: profile ? 'no channel left' : 'profile not found' } as const);
      if (!decision.ok) {
        const detail = `no fallback: ${why} (${decision.reason})`;
        await outbox.planFallback(d.id, undefined, { status: 'fallback', at, detail });
        continue;
      }
      const refused = /\((.*)\)$/.exec(decision.reason)?.[1];
      const reason = `fallback: ${why}${refused ? ` (${refused})` : ''}`;
      const root = d.idempotencyKey.split(':fallback:')[0] ?? d.idempotencyKey;
      const send = fallbackSend(d, {
        key: `${root}:fallback:${decision.channel}`,
        channel: [decision.channel, ...rest.slice(rest.indexOf(decision.channel) + 1)],
        reason,
        at,
      });
      const detail = `${reason}: sent again on ${decision.channel} as ${send.idempotencyKey}`;
      await outbox.planFallback(d.id, send, { status: 'fallback', at, detail });
    }
    return due.length;
  }

  private async profiles(ids: readonly ProfileId[]): Promise<Map<ProfileId, Profile>> {
    const found = await this.options.store.loadProfiles(ids);
    for (const id of ids) {
      if (found.has(id)) continue;
      // Merged since the send was planned: follow the merge to the surviving profile.
      const record = await this.options.store.getProfile(id);
      if (record) found.set(id, record.profile);
    }
    return found;
  }

  /**
   * Per profile, its suppressed addresses as `channel:key`, read for the whole batch at once: every
   * push token, since the one sent to is the newest whose platform has a provider, not always the newest.
   */
  private async suppressed(profiles: readonly Profile[]): Promise<Map<ProfileId, Set<string>>> {
    const keys: { channel: string; address: string; profile: ProfileId; key: string }[] = [];
    for (const profile of profiles)
      for (const channel of ['email', 'sms', 'whatsapp', 'push', 'webpush'] as const)
        for (const address of addressesOf(profile, channel))
          keys.push({ channel, address: address.key, profile: profile.id, key: address.key });
    const hits = await this.options.consent.suppressedAmong(keys);
    const out = new Map<ProfileId, Set<string>>();
    for (const k of keys) {
      if (!hits.has(`${k.channel}:${k.address.toLowerCase()}`)) continue;
      let set = out.get(k.profile);
      if (!set) out.set(k.profile, (set = new Set()));
      set.add(`${k.channel}:${k.key}`);
    }
    return out;
  }

  private async template(id: string, version: number): Promise<CompiledTemplate | undefined> {
    const key = `${id}:${version}`;
    const cached = this.compiled.get(key);
    if (cached) return cached;
    const stored = await this.options.templates.getTemplate(id, version);
    if (!stored) return undefined;
    if (this.compiled.size > 1000) this.compiled.clear();
    const compiled = stored.compiled as unknown as CompiledTemplate;
    this.compiled.set(key, compiled);
    return compiled;
  }
}

/** The same message as `d`, planned again on `channel` as its timed fallback. */
function fallbackSend(
  d: DeliveryRecord,
  next: { key: string; channel: MessageChannel[]; reason: string; at: EpochMs },
): PlannedSend {
  return {
    idempotencyKey: next.key,
    profileId: d.profileId,
    channel: next.channel,
    templateId: d.templateId,
    templateVersion: d.templateVersion,
    category: d.category,
    ...(d.topic !== undefined ? { topic: d.topic } : {}),
    ...(d.context ? { context: d.context } : {}),
    plannedAt: next.at,
    // Further on, only while there is a channel left to fall back to.
    ...(d.fallbackAfterMs !== undefined && next.channel.length > 1
      ? { fallbackAfterMs: d.fallbackAfterMs }
      : {}),
    fallbackOf: d.id,
    reason: next.reason,
  };
}

/** `30 min`, `2 h`, `45 s`, `1500 ms`: a fallback time as people read it. */
function duration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000} s`;
  return `${ms} ms`;
}
