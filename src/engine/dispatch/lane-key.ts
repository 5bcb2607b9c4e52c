import type { MessageChannel } from '../../core/channels/variants.js';
import type { PushToken } from '../../core/profiles/profile.js';
import type { ProviderLane } from './provider-lane.js';

/** The mobile platforms a push lane serves by name. */
export type MobilePlatform = 'ios' | 'android';

/**
 * What a provider lane serves: a channel, or for mobile push a channel and a token platform, since an
 * APNs device token means nothing to FCM (and APNs answers an FCM token with `BadDeviceToken`, which
 * reads as a dead token). A plain `push` lane serves tokens of every platform: a stand-in provider in
 * tests; the registry keys real push providers by platform.
 */
export type LaneKey = MessageChannel | `push:${MobilePlatform}`;

/**
 * The keys of the lanes that may carry a send on `channel` to an address of `platform`, the most
 * specific first.
 * @example laneKeysFor('push', 'ios') // ['push:ios', 'push']
 */
export function laneKeysFor(channel: MessageChannel, platform?: PushToken['platform']): LaneKey[] {
  if (channel !== 'push') return [channel];
  return platform === 'ios' || platform === 'android' ? [`push:${platform}`, 'push'] : ['push'];
}

/**
 * The lane that sends on `channel` to an address of `platform`, if a provider serves it.
 * @example laneFor(registry.lanes(), 'push', 'android') // the FCM lane
 */
export function laneFor(
  lanes: ReadonlyMap<LaneKey, ProviderLane>,
  channel: MessageChannel,
  platform?: PushToken['platform'],
): ProviderLane | undefined {
  for (const key of laneKeysFor(channel, platform)) {
    const lane = lanes.get(key);
    if (lane) return lane;
  }
  return undefined;
}

/**
 * Every lane once: one provider may serve several keys (FCM for Android and iOS tokens), and its
 * limits, room and in-flight sends must not be counted twice.
 * @example distinctLanes(lanes).reduce((sum, lane) => sum + lane.room(), 0)
 */
export function distinctLanes(lanes: ReadonlyMap<LaneKey, ProviderLane>): ProviderLane[] {
  return [...new Set(lanes.values())];
}

/**
 * The channel a lane key belongs to.
 * @example channelOfLane('push:ios') // 'push'
 */
export function channelOfLane(key: LaneKey): MessageChannel {
  return key === 'push:ios' || key === 'push:android' ? 'push' : key;
}

/**
 * The mobile platforms a push provider of `type` serves, given the types of every configured provider:
 * APNs serves iOS device tokens; FCM serves Android tokens, and iOS tokens too when no APNs provider is
 * configured (an app that registers its iOS devices with FCM). A configured APNs provider whose
 * credentials fail still claims iOS, so that its tokens are skipped rather than sent to FCM. Tokens of
 * `unknown` platform go to neither: a provider given another's token calls it dead, and it is removed.
 * @example pushPlatformsOf('fcm', new Set(['fcm', 'apns'])) // ['android']
 */
export function pushPlatformsOf(type: string, configured: ReadonlySet<string>): MobilePlatform[] {
  switch (type) {
    case 'apns':
      return ['ios'];
    case 'fcm':
      return configured.has('apns') ? ['android'] : ['android', 'ios'];
    default:
      return [];
  }
}

/**
 * The lane keys a provider of `type` on `channel` serves (see `pushPlatformsOf` for push).
 * @example laneKeysOf('push', 'fcm', new Set(['fcm'])) // ['push:android', 'push:ios']
 */
export function laneKeysOf(
  channel: MessageChannel,
  type: string,
  configured: ReadonlySet<string>,
): LaneKey[] {
  if (channel !== 'push') return [channel];
  return pushPlatformsOf(type, configured).map((p) => `push:${p}` as const);
}
