import type { Random } from '../random.js';
import { pick } from '../random.js';
import { DEMO_STORE_NAME } from './catalog.js';
import { checkout } from './checkout.js';
import type { DemoCampaign, DemoTraits } from './demo-types.js';
import type { DemoDeviceProfile } from './devices.js';
import { createAppDevice, createWebDevice } from './devices.js';
import { formatIso } from './format-iso.js';
import type { Persona } from './persona.js';
import { chance } from './sampling.js';
import { scheduleSessions } from './schedule.js';
import { browse, fillCart, viewHome } from './session.js';
import type { ShopperState } from './shopper.js';
import { createShopper } from './shopper.js';
import type { TimedMessage } from './visitor-log.js';
import { VisitorLog } from './visitor-log.js';

/**
 * One person's whole history in the window: anonymous visits, sign-up (or log-in) with an
 * `identify` that carries both ids, signed-in sessions on one or two devices, carts, orders, refunds.
 */

export interface VisitorEnv {
  readonly windowStart: number;
  readonly end: number;
  readonly nextMessageId: () => string;
}

const NEWSLETTER: DemoCampaign = { name: 'weekly_picks', source: 'newsletter', medium: 'email' };
const INSTAGRAM: DemoCampaign = { name: 'new_season', source: 'instagram', medium: 'paid_social' };

function traitsOf(persona: Persona, createdAt: number): DemoTraits {
  const { firstName, lastName, email, phone, birthday, city, country, locale } = persona;
  const contact = { email, firstName, lastName, name: `${firstName} ${lastName}` };
  const rest = {
    birthday,
    createdAt: formatIso(createdAt),
    address: { city: city.name, country: country.code },
    timezone: city.timezone,
    locale,
    emailOptIn: persona.emailOptIn,
  };
  return phone === undefined
    ? { ...contact, ...rest }
    : { ...contact, phone, ...rest, smsOptIn: persona.smsOptIn };
}

/** Where a web session comes from: a newsletter, a search engine, an Instagram ad, or typed in. */
function drawEntry(
  rng: Random,
  persona: Persona,
  signedIn: boolean,
): { referrer: string; campaign?: DemoCampaign } {
  const x = rng.next();
  if (signedIn && persona.emailOptIn && x < 0.2) return { referrer: '', campaign: NEWSLETTER };
  if (x < 0.5) return { referrer: 'https://www.google.com/' };
  if (x < 0.65) return { referrer: 'https://l.instagram.com/', campaign: INSTAGRAM };
  return { referrer: '' };
}

function openApp(log: VisitorLog, rng: Random, device: DemoDeviceProfile, installed: boolean): void {
  if (device.kind !== 'app') return;
  const { version, build } = device.app;
  if (installed) log.track('Application Installed', { version, build });
  log.track('Application Opened', { version, build, from_background: !installed && chance(rng, 0.3) });
}

interface SessionPlan {
  readonly device: DemoDeviceProfile;
  readonly buy: boolean;
  readonly signIn?: 'sign-up' | 'log-in';
  readonly installed: boolean;
}

function signIn(log: VisitorLog, rng: Random, shopper: ShopperState, how: 'sign-up' | 'log-in'): void {
  const { persona } = shopper;
  const signUp = how === 'sign-up';
  const path = signUp ? '/account/register' : '/account/login';
  log.view({
    name: signUp ? 'Sign Up' : 'Log In',
    path,
    title: `${signUp ? 'Create account' : 'Log in'} | ${DEMO_STORE_NAME}`,
  });
  log.wait(15, 90);
  if (signUp && persona.aliasAtSignUp) log.alias(persona.userId);
  shopper.createdAt ??= log.at;
  log.identify(persona.userId, traitsOf(persona, shopper.createdAt));
  const method = pick(rng, ['email', 'email', 'email', 'google', 'apple'] as const);
  log.track(signUp ? 'Signed Up' : 'Signed In', { method });
}

function playSession(log: VisitorLog, rng: Random, shopper: ShopperState, plan: SessionPlan): void {
  openApp(log, rng, plan.device, plan.installed);
  if (plan.device.kind === 'app' || plan.signIn === 'log-in' || chance(rng, 0.45)) viewHome(log);
  if (plan.signIn === 'log-in') signIn(log, rng, shopper, 'log-in');
  const viewed = browse(log, rng, shopper);
  const signUp = plan.signIn === 'sign-up';
  if (signUp && !plan.buy) signIn(log, rng, shopper, 'sign-up');
  const addRate = log.userId === undefined ? 0.15 : shopper.cart ? 0.3 : 0.2;
  if (!plan.buy && !chance(rng, addRate)) return;
  fillCart(log, rng, shopper, viewed);
  if (signUp && plan.buy) signIn(log, rng, shopper, 'sign-up');
  if (plan.buy || chance(rng, 0.35)) checkout(log, rng, shopper, plan.buy && log.userId !== undefined);
}

/** Sessions after sign-up happen on the second device this often, when the person has one. */
const SECOND_DEVICE_SHARE = 0.4;

/**
 * Simulate one person over the window; messages come out in time order, each within the window.
 * @example simulateVisitor(createRandom(1), persona, { windowStart, end, nextMessageId: () => `m${n++}` });
 */
export function simulateVisitor(rng: Random, persona: Persona, env: VisitorEnv): TimedMessage[] {
  const { city } = persona;
  const log = new VisitorLog(
    { end: env.end, locale: persona.locale, timezone: city.timezone, nextMessageId: env.nextMessageId },
    rng,
  );
  const shopper = createShopper(persona);
  if (persona.accountAgeMs !== undefined) shopper.createdAt = env.windowStart - persona.accountAgeMs;
  const primary = persona.app ? createAppDevice(rng, persona.app) : createWebDevice(rng);
  const second =
    persona.secondDevice === undefined
      ? undefined
      : persona.secondDevice === 'web'
        ? createWebDevice(rng)
        : createAppDevice(rng, persona.secondDevice);
  const signedIn = new Set<DemoDeviceProfile>();
  const used = new Set<DemoDeviceProfile>();
  const starts = scheduleSessions(rng, {
    count: persona.sessions,
    windowStart: env.windowStart,
    end: env.end,
    utcOffsetHours: city.utcOffsetHours,
  });
  const known = persona.archetype !== 'visitor';
  for (let s = 0; s < starts.length; s++) {
    const start = starts[s] ?? env.end;
    flushRefunds(log, shopper, start);
    const afterSignUp = known && s >= persona.anonymousSessions;
    const device =
      second && afterSignUp && s > persona.anonymousSessions && chance(rng, SECOND_DEVICE_SHARE)
        ? second
        : primary;
    const signIn =
      !afterSignUp || signedIn.has(device)
        ? undefined
        : shopper.createdAt === undefined
          ? 'sign-up'
          : 'log-in';
    const installed =
      device.kind === 'app' && !used.has(device) && (device === second || persona.accountAgeMs === undefined);
    used.add(device);
    log.startSession(
      start,
      device,
      device.kind === 'web' ? drawEntry(rng, persona, signedIn.has(device)) : { referrer: '' },
    );
    playSession(log, rng, shopper, {
      device,
      buy: afterSignUp && chance(rng, persona.buyRate),
      installed,
      ...(signIn ? { signIn } : {}),
    });
    if (signIn) signedIn.add(device);
    if (!log.isOpen) break;
  }
  flushRefunds(log, shopper, env.end);
  return log.messages;
}

/** Refunds come from the shop's backend once their day comes, between the person's sessions. */
function flushRefunds(log: VisitorLog, shopper: ShopperState, until: number): void {
  const { refunds, persona } = shopper;
  while (refunds.length > 0 && (refunds[0]?.at ?? Infinity) <= until) {
    const refund = refunds.shift();
    if (refund) log.serverTrack(refund.at, persona.userId, 'Order Refunded', refund.properties);
  }
}
