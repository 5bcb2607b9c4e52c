import type { Random } from '../random.js';
import { pick } from '../random.js';
import { DEMO_STORE_NAME } from './catalog.js';
import type { DemoContext, DemoDevice, DemoLibrary } from './demo-types.js';
import { documentationIp, pushToken, randomUuid } from './random-ids.js';

/** A browser or an app install: what sends the messages, and the `anonymousId` it keeps. */
export type DemoDeviceProfile = WebDeviceProfile | AppDeviceProfile;

export interface WebDeviceProfile {
  readonly kind: 'web';
  readonly anonymousId: string;
  readonly library: DemoLibrary;
  readonly userAgent: string;
  readonly ip: string;
}

export interface AppDeviceProfile {
  readonly kind: 'app';
  readonly anonymousId: string;
  readonly library: DemoLibrary;
  readonly ip: string;
  readonly device: DemoDevice;
  readonly os: NonNullable<DemoContext['os']>;
  readonly app: NonNullable<DemoContext['app']>;
  readonly screen: NonNullable<DemoContext['screen']>;
}

const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-A546B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
];

type Model = readonly [manufacturer: string, model: string, width: number, height: number];

const IOS_MODELS: readonly Model[] = [
  ['Apple', 'iPhone14,5', 390, 844],
  ['Apple', 'iPhone15,2', 393, 852],
  ['Apple', 'iPhone16,1', 393, 852],
  ['Apple', 'iPhone16,2', 430, 932],
  ['Apple', 'iPhone17,3', 402, 874],
];
const ANDROID_MODELS: readonly Model[] = [
  ['samsung', 'SM-S921B', 384, 832],
  ['samsung', 'SM-A546B', 412, 915],
  ['Google', 'Pixel 8', 412, 915],
  ['Xiaomi', '23129RAA4G', 393, 873],
  ['OnePlus', 'CPH2581', 412, 919],
];
const IOS_VERSIONS = ['17.6.1', '18.1', '18.2.1', '18.3'];
const ANDROID_VERSIONS = ['13', '14', '14', '15'];
const APP_VERSIONS: readonly (readonly [version: string, build: string])[] = [
  ['3.2.0', '320'],
  ['3.3.1', '331'],
  ['3.4.0', '340'],
  ['3.4.0', '340'],
];

const WEB_LIBRARY: DemoLibrary = { name: 'analytics.js', version: 'next-1.70.0' };

/**
 * A browser with a fresh `anonymousId` (a new visitor, or a known one on another browser).
 * @example createWebDevice(createRandom(1)).kind; // 'web'
 */
export function createWebDevice(rng: Random): WebDeviceProfile {
  return {
    kind: 'web',
    anonymousId: randomUuid(rng),
    library: WEB_LIBRARY,
    userAgent: pick(rng, USER_AGENTS),
    ip: documentationIp(rng),
  };
}

/**
 * An install of the shop's iOS or Android app, with its push token.
 * @example createAppDevice(createRandom(1), 'ios').device.type; // 'ios'
 */
export function createAppDevice(rng: Random, platform: 'ios' | 'android'): AppDeviceProfile {
  const ios = platform === 'ios';
  const [manufacturer, model, width, height] = pick(rng, ios ? IOS_MODELS : ANDROID_MODELS);
  const [version, build] = pick(rng, APP_VERSIONS);
  return {
    kind: 'app',
    anonymousId: randomUuid(rng),
    library: ios
      ? { name: 'analytics-ios', version: '4.1.8' }
      : { name: 'analytics-android', version: '4.11.3' },
    ip: documentationIp(rng),
    device: {
      id: ios ? randomUuid(rng).toUpperCase() : randomUuid(rng),
      type: platform,
      token: pushToken(rng, platform),
      manufacturer,
      model,
    },
    os: ios
      ? { name: 'iOS', version: pick(rng, IOS_VERSIONS) }
      : { name: 'Android', version: pick(rng, ANDROID_VERSIONS) },
    app: { name: DEMO_STORE_NAME, version, build },
    screen: { width, height },
  };
}
