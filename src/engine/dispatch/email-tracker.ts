import { createHash } from 'node:crypto';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import {
  emailTrackingSchema,
  insertPixel,
  isTrackableUrl,
  rewriteLinks,
  withUtm,
  type EmailTracking,
  type Utm,
} from '../../core/channels/email-tracking.js';
import { err, ok, type Result } from '../../core/result.js';
import { z } from 'zod';
import type { OutboxStore, Store } from '../../store/store.js';
import type { EmitProfileEvent } from './profile-events.js';
import type { Decorate, DecorateInput } from './send-job.js';
import type { LinkSigner } from './signed-links.js';

/** What an open or click token names; the click target `u` is inside the signed token (no open redirect). */
export interface TrackingToken {
  readonly d: number;
  readonly k: string;
  readonly p: string;
  readonly t: string;
  readonly j?: string;
  readonly u?: string;
}

/** Tracking settings per journey (override the template's), stored under `TRACKING_KEY`. */
export const trackingSettingsSchema = z.object({
  journeys: z.record(z.string().min(1).max(200), emailTrackingSchema.partial()).default({}),
});
export type TrackingSettings = z.output<typeof trackingSettingsSchema>;
export const TRACKING_KEY = 'email_tracking';

export interface EmailTrackerOptions {
  readonly links: LinkSigner;
  readonly emit: EmitProfileEvent;
  readonly store: Pick<Store, 'getSetting' | 'setSetting'>;
  readonly clock: () => EpochMs;
  /** Public base URL of this server, without a trailing slash. */
  readonly publicUrl: () => string;
  /** Where the first open and click are written in the delivery's history (they stop a timed fallback). */
  readonly outbox?: Pick<OutboxStore, 'history' | 'update'>;
}

/** The journey of a delivery, as `toPlannedSend` records it in the context. */
const journeyOf = (input: DecorateInput) => {
  const j = input.delivery.context?.journeyId;
  return typeof j === 'string' ? j : undefined;
};

/**
 * Email open and click tracking: at render time, links are rewritten to signed redirects (with UTM
 * parameters) and a pixel is added to the HTML part; each hit becomes an `Email Opened` or
 * `Email Link Clicked` event (Segment's Email spec names) through the inbox. Repeated hits of one
 * message (one link) share a message id, so the inbox's dedupe window counts them once.
 * @example const tracker = new EmailTracker({ links, emit, store, clock, publicUrl }); await tracker.reload();
 */
export class EmailTracker {
  private settings: TrackingSettings = { journeys: {} };

  constructor(private readonly options: EmailTrackerOptions) {}

  async reload(): Promise<TrackingSettings> {
    const raw = await this.options.store.getSetting(TRACKING_KEY);
    const parsed = raw === undefined ? undefined : trackingSettingsSchema.safeParse(JSON.parse(raw));
    this.settings = parsed?.success ? parsed.data : { journeys: {} };
    return this.settings;
  }

  async save(settings: TrackingSettings): Promise<void> {
    await this.options.store.setSetting(TRACKING_KEY, JSON.stringify(settings));
    this.settings = settings;
  }

  /** The tracking in force for one send: the journey's settings over the template's. */
  trackingFor(input: DecorateInput): { opens: boolean; clicks: boolean; utm?: Utm } {
    const template: Partial<EmailTracking> = input.template.tracking ?? {};
    const journeyId = journeyOf(input);
    const journey = (journeyId && this.settings.journeys[journeyId]) || {};
    const utm = template.utm || journey.utm ? { ...template.utm, ...journey.utm } : undefined;
    return {
      opens: journey.opens ?? template.opens ?? false,
      clicks: journey.clicks ?? template.clicks ?? false,
      ...(utm ? { utm } : {}),
    };
  }

  readonly decorate: Decorate = (content, input) => {
    if (content.channel !== 'email') return content;
    const tracking = this.trackingFor(input);
    if (!tracking.opens && !tracking.clicks && !tracking.utm) return content;
    const base = this.options.publicUrl();
    const d = input.delivery;
    const journeyId = journeyOf(input);
    const token = {
      d: d.id,
      k: d.idempotencyKey,
      p: d.profileId,
      t: d.templateId,
      ...(journeyId ? { j: journeyId } : {}),
    };
    let html = rewriteLinks(content.html, (url) => {
      // Orkestra's own links (unsubscribe, preferences) are already signed and stay as they are.
      if (url.startsWith(base)) return undefined;
      const target = withUtm(url, tracking.utm);
      if (!tracking.clicks) return target === url ? undefined : target;
      return `${base}/t/c/${this.options.links.sign('click', { ...token, u: target })}`;
    });
    if (tracking.opens) html = insertPixel(html, `${base}/t/o/${this.options.links.sign('open', token)}.gif`);
    return { ...content, html };
  };

  /** Records an open from a pixel token; an error when the token is not genuine. */
  async open(token: string): Promise<Result<TrackingToken, string>> {
    const parsed = this.options.links.verify<TrackingToken>('open', token);
    if (!parsed.ok) return parsed;
    await this.record('Email Opened', parsed.value, `orkestra:open:${parsed.value.k}`);
    return parsed;
  }

  /** Records a click and returns where to send the person. */
  async click(token: string): Promise<Result<string, string>> {
    const parsed = this.options.links.verify<TrackingToken>('click', token);
    if (!parsed.ok) return parsed;
    const url = parsed.value.u;
    if (!isTrackableUrl(url)) return err('no target');
    const hash = createHash('sha256').update(url).digest('base64url').slice(0, 16);
    await this.record('Email Link Clicked', parsed.value, `orkestra:click:${parsed.value.k}:${hash}`);
    return ok(url);
  }

  private async record(event: string, t: TrackingToken, messageId: string) {
    const outbox = this.options.outbox;
    const status = event === 'Email Opened' ? 'opened' : 'clicked';
    if (outbox && typeof t.d === 'number' && !(await outbox.history(t.d)).some((h) => h.status === status))
      await outbox.update(t.d, { event: { status, at: this.options.clock() } });
    await this.options.emit({
      profileId: t.p as ProfileId,
      event,
      properties: {
        deliveryId: t.d,
        idempotencyKey: t.k,
        templateId: t.t,
        ...(t.u ? { url: t.u } : {}),
        ...(t.j ? { journeyId: t.j } : {}),
      },
      messageId,
      at: this.options.clock(),
    });
  }
}
