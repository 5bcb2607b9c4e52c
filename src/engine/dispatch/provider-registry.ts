import type { ChannelProvider } from '../../channels/channel.js';
import type { ProviderStore } from '../../store/store.js';
import type { CircuitBreakerOptions } from './circuit-breaker.js';
import { distinctLanes, laneKeysOf, type LaneKey } from './lane-key.js';
import { createProvider, PROVIDER_TYPES, type ProviderType } from './provider-factory.js';
import { ProviderLane } from './provider-lane.js';
import { openSecret } from './secret-box.js';

/**
 * The providers in use, one lane per provider, built from their stored configuration (credentials
 * opened with the secret key). The first provider by name serves its channel; mobile push is served
 * per token platform (`apns` for iOS, `fcm` for Android and for iOS without APNs: see
 * `pushPlatformsOf`), so one lane may appear under two keys. `reload` after a change.
 * @example const registry = new ProviderRegistry({ providers, key }); await registry.reload(); registry.lanes();
 */
export class ProviderRegistry {
  private current = new Map<LaneKey, ProviderLane>();
  /** Built-in lanes survive a reload (they hold no configuration), so their sends are not cut off. */
  private builtInLanes = new Map<ChannelProvider, ProviderLane>();

  constructor(
    private readonly options: {
      providers: ProviderStore;
      key: Buffer;
      breaker?: CircuitBreakerOptions;
      onError?: (error: string) => void;
      /** Providers that need no configuration (the in-app inbox): used when no stored one serves their channel. */
      builtIn?: readonly ChannelProvider[];
    },
  ) {}

  /** The lane serving each channel (mobile push: each token platform); `distinctLanes` lists each once. */
  lanes(): ReadonlyMap<LaneKey, ProviderLane> {
    return this.current;
  }

  async reload(): Promise<void> {
    const next = new Map<LaneKey, ProviderLane>();
    const all = await this.options.providers.listProviders();
    const configured = new Set(all.map((p) => p.type));
    for (const stored of all) {
      if (!(stored.type in PROVIDER_TYPES)) continue;
      const keys = laneKeysOf(stored.channel, stored.type, configured).filter((k) => !next.has(k));
      if (keys.length === 0) continue;
      const type = PROVIDER_TYPES[stored.type as ProviderType];
      const opened = openSecret(this.options.key, stored.secret);
      const settings = type.settings.safeParse(stored.settings);
      const secrets = opened.ok ? type.secrets.safeParse(JSON.parse(opened.value)) : undefined;
      if (!settings.success || !secrets?.success) {
        this.options.onError?.(
          `provider ${stored.name}: ${opened.ok ? 'invalid configuration' : opened.error}`,
        );
        continue;
      }
      let provider;
      try {
        provider = createProvider(stored.type as ProviderType, settings.data, secrets.data);
      } catch (e) {
        this.options.onError?.(`provider ${stored.name}: ${(e as Error).message}`);
        continue;
      }
      const lane = new ProviderLane(provider, settings.data.limits, this.options.breaker);
      for (const key of keys) next.set(key, lane);
    }
    const builtIn = new Map<ChannelProvider, ProviderLane>();
    for (const provider of this.options.builtIn ?? []) {
      const keys = laneKeysOf(provider.channel, provider.name, configured).filter((k) => !next.has(k));
      if (keys.length === 0) continue;
      const lane = this.builtInLanes.get(provider) ?? new ProviderLane(provider);
      for (const key of keys) next.set(key, lane);
      builtIn.set(provider, lane);
    }
    this.builtInLanes = builtIn;
    const previous = this.current;
    this.current = next;
    // Old lanes finish what they hold, then their pooled connections close (built-in ones stay open).
    for (const lane of distinctLanes(previous))
      if (!this.builtInLanes.has(lane.provider)) void lane.idle().then(() => lane.provider.close?.());
  }

  /** The opened credentials of the first provider of `type` (webhook signatures need them). */
  async secretsOf(type: ProviderType): Promise<Record<string, unknown> | undefined> {
    const stored = (await this.options.providers.listProviders()).find((p) => p.type === type);
    const opened = stored && openSecret(this.options.key, stored.secret);
    return opened?.ok ? (JSON.parse(opened.value) as Record<string, unknown>) : undefined;
  }

  /** The settings and opened credentials of the first provider of `type` (for its webhooks). */
  async configOf(
    type: ProviderType,
  ): Promise<{ settings: Record<string, unknown>; secrets: Record<string, unknown> } | undefined> {
    const stored = (await this.options.providers.listProviders()).find((p) => p.type === type);
    const opened = stored && openSecret(this.options.key, stored.secret);
    if (!stored || !opened?.ok) return undefined;
    return { settings: stored.settings, secrets: JSON.parse(opened.value) as Record<string, unknown> };
  }

  async close(): Promise<void> {
    for (const lane of distinctLanes(this.current)) {
      await lane.idle();
      await lane.provider.close?.();
    }
  }
}
