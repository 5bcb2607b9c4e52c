import type { Random } from '../random.js';
import { DEMO_ORIGIN } from './catalog.js';
import type {
  DemoCampaign,
  DemoContext,
  DemoEventName,
  DemoMessage,
  DemoPageContext,
  DemoTrack,
  DemoTraits,
} from './demo-types.js';
import type { DemoDeviceProfile } from './devices.js';
import { createIsoFormatter } from './format-iso.js';

/** A message and the instant it was sent, so that batches can be merged by time without parsing. */
export interface TimedMessage {
  readonly at: number;
  readonly message: DemoMessage;
}

/** The properties a track `event` carries. */
export type PropertiesOf<E extends DemoEventName> = DemoTrack extends infer T
  ? T extends { event: infer X; properties: infer P }
    ? E extends X
      ? P
      : never
    : never
  : never;

/** A page on the web, a screen in the app. */
export interface View {
  readonly name: string;
  readonly path: string;
  readonly title: string;
  /** Query string with its `?`, or ''. */
  readonly search?: string;
  /** Screen properties in the app. */
  readonly properties?: { readonly [key: string]: string | number };
}

export interface VisitorLogEnv {
  readonly end: number;
  readonly locale: string;
  readonly timezone: string;
  readonly nextMessageId: () => string;
}

const SERVER_LIBRARY = { name: '@segment/analytics-node', version: '2.2.1' } as const;

/**
 * One person's message stream as their SDKs would send it: it keeps the clock, the current device
 * and who is signed in on it, and the page the browser is on, and stamps each message with them.
 * Messages after `end` are dropped, so a session that runs past the window simply stops.
 * Sub-objects (context, library, device, page) are shared between messages; treat them as read-only.
 */
export class VisitorLog {
  readonly messages: TimedMessage[] = [];
  at = 0;
  private device: DemoDeviceProfile | undefined;
  private anonymousId = '';
  /** Who is signed in, by the anonymous id of the device they signed in on. */
  private readonly signedIn = new Map<string, string>();
  private user: string | undefined;
  private page: DemoPageContext | undefined;
  private campaign: DemoCampaign | undefined;
  /** The context of the next message; rebuilt only when the device, page or campaign changes. */
  private context: DemoContext = { library: SERVER_LIBRARY };
  private sessionStarted = false;
  private readonly formatTime = createIsoFormatter();

  constructor(
    private readonly env: VisitorLogEnv,
    private readonly rng: Random,
  ) {}

  /** Whether the clock is still inside the window. */
  get isOpen(): boolean {
    return this.at <= this.env.end;
  }

  /** The user signed in on the current device, if any. */
  get userId(): string | undefined {
    return this.user;
  }

  /** Begin a session on `device` at `at` (or just after the previous one, if that ran late). */
  startSession(
    at: number,
    device: DemoDeviceProfile,
    entry: { referrer: string; campaign?: DemoCampaign },
  ): void {
    this.at = Math.max(at, this.at + 60_000);
    this.device = device;
    this.anonymousId = device.anonymousId;
    this.user = this.signedIn.get(device.anonymousId);
    this.page = { path: '', referrer: entry.referrer, search: '', title: '', url: entry.referrer };
    this.campaign = entry.campaign;
    this.sessionStarted = true;
    this.context = this.buildContext();
  }

  /** Let `minSeconds`–`maxSeconds` pass. */
  wait(minSeconds: number, maxSeconds: number): void {
    this.at += Math.floor((minSeconds + this.rng.next() * (maxSeconds - minSeconds)) * 1000);
  }

  /** A `page` call on the web, a `screen` call in the app. */
  view(view: View): void {
    if (this.sessionStarted) this.wait(0.1, 0.9);
    else this.wait(6, 75);
    this.sessionStarted = false;
    if (!this.device || !this.isOpen) return;
    const { name } = view;
    if (this.device.kind === 'app') {
      const properties = view.properties ?? {};
      const { anonymousId, user: userId, context } = this;
      const messageId = this.env.nextMessageId();
      const timestamp = this.formatTime(this.at);
      this.push(
        userId === undefined
          ? { type: 'screen', messageId, anonymousId, name, properties, context, timestamp }
          : { type: 'screen', messageId, userId, anonymousId, name, properties, context, timestamp },
      );
      return;
    }
    const c = this.campaign;
    const utm = c ? `utm_source=${c.source}&utm_medium=${c.medium}&utm_campaign=${c.name}` : '';
    const search = utm === '' ? (view.search ?? '') : view.search ? `${view.search}&${utm}` : `?${utm}`;
    const referrer = this.page?.url ?? '';
    const url = `${DEMO_ORIGIN}${view.path}${search}`;
    const properties = { path: view.path, referrer, search, title: view.title, url };
    this.page = properties;
    this.context = this.buildContext();
    const { anonymousId, user: userId, context } = this;
    const messageId = this.env.nextMessageId();
    const timestamp = this.formatTime(this.at);
    this.push(
      userId === undefined
        ? { type: 'page', messageId, anonymousId, name, properties, context, timestamp }
        : { type: 'page', messageId, userId, anonymousId, name, properties, context, timestamp },
    );
    if (c) {
      // analytics.js reads the campaign from the landing page's UTM parameters only.
      this.campaign = undefined;
      this.context = this.buildContext();
    }
  }

  track<E extends DemoEventName>(event: E, properties: PropertiesOf<E>): void {
    this.at += 200 + Math.floor(this.rng.next() * 1300);
    if (!this.isOpen) return;
    const { anonymousId, user: userId, context } = this;
    const messageId = this.env.nextMessageId();
    const timestamp = this.formatTime(this.at);
    const message =
      userId === undefined
        ? { type: 'track', messageId, anonymousId, event, properties, context, timestamp }
        : { type: 'track', messageId, userId, anonymousId, event, properties, context, timestamp };
    this.push(message as DemoTrack);
  }

  /** Sign `userId` in on the current device: an `identify` with both ids, which merges the anonymous history. */
  identify(userId: string, traits: DemoTraits): void {
    const { anonymousId } = this;
    this.signedIn.set(anonymousId, userId);
    this.user = userId;
    this.at += 500 + Math.floor(this.rng.next() * 2500);
    if (!this.isOpen) return;
    const { context } = this;
    const messageId = this.env.nextMessageId();
    const timestamp = this.formatTime(this.at);
    this.push({ type: 'identify', messageId, userId, anonymousId, traits, context, timestamp });
  }

  /** An `alias` from the current anonymous id to `userId` (Segment spec: alias). */
  alias(userId: string): void {
    this.at += 100 + Math.floor(this.rng.next() * 400);
    if (!this.isOpen) return;
    const { anonymousId: previousId, context } = this;
    const messageId = this.env.nextMessageId();
    const timestamp = this.formatTime(this.at);
    this.push({ type: 'alias', messageId, previousId, userId, context, timestamp });
  }

  /** A track sent by the shop's backend (no browser, no anonymous id), e.g. a refund. */
  serverTrack<E extends DemoEventName>(
    at: number,
    userId: string,
    event: E,
    properties: PropertiesOf<E>,
  ): void {
    this.at = Math.max(this.at, at);
    if (!this.isOpen) return;
    const messageId = this.env.nextMessageId();
    const context = { library: SERVER_LIBRARY };
    const timestamp = this.formatTime(this.at);
    this.push({ type: 'track', messageId, userId, event, properties, context, timestamp } as DemoTrack);
  }

  private buildContext(): DemoContext {
    const d = this.device;
    const { locale, timezone } = this.env;
    if (!d) return { library: SERVER_LIBRARY };
    if (d.kind === 'app') {
      const { library, ip, device, os, app, screen } = d;
      return { library, ip, locale, timezone, device, os, app, screen };
    }
    const { library, ip, userAgent } = d;
    const page = this.page ?? { path: '', referrer: '', search: '', title: '', url: '' };
    const campaign = this.campaign;
    return campaign
      ? { library, ip, locale, timezone, userAgent, page, campaign }
      : { library, ip, locale, timezone, userAgent, page };
  }

  private push(message: DemoMessage): void {
    this.messages.push({ at: this.at, message });
  }
}
