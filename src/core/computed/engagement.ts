/**
 * Engagement per channel: how often the person opened, clicked, tapped or replied on each channel, and
 * when they last did. Counted from the channel events Orkestra records (Segment's own names where they
 * exist: `Email Opened`, `Email Link Clicked`, `Push Notification Tapped`; ours otherwise).
 */

/** A channel a person can engage on. */
export type EngagementChannel = 'email' | 'push' | 'sms' | 'whatsapp' | 'inapp';

/** Event-name prefixes per channel; the event counts when the rest is one of {@link ENGAGEMENT_ACTIONS}. */
export const ENGAGEMENT_PREFIXES: readonly (readonly [string, EngagementChannel])[] = [
  ['Email', 'email'],
  ['Push Notification', 'push'],
  ['Push', 'push'],
  ['SMS', 'sms'],
  ['WhatsApp', 'whatsapp'],
  ['In-App Message', 'inapp'],
];

/** What counts as engaging: `Email Opened`, `SMS Link Clicked`, `Push Opened`, `WhatsApp Replied`… */
export const ENGAGEMENT_ACTIONS: ReadonlySet<string> = new Set([
  'Opened',
  'Clicked',
  'Link Clicked',
  'Tapped',
  'Replied',
]);

/** Per channel: events by name, their total, and the time of the latest (epoch ms). */
export interface ChannelEngagement {
  readonly count: number;
  readonly lastAt: number;
  readonly events: Readonly<Record<string, number>>;
}

export type Engagement = Readonly<Partial<Record<EngagementChannel, ChannelEngagement>>>;

/**
 * The channel an engagement event belongs to, or undefined when the event is not one.
 * @example engagementChannelOf('Email Link Clicked') // 'email'
 */
export function engagementChannelOf(event: string | undefined): EngagementChannel | undefined {
  if (event === undefined) return undefined;
  for (const [prefix, channel] of ENGAGEMENT_PREFIXES) {
    if (event.startsWith(`${prefix} `) && ENGAGEMENT_ACTIONS.has(event.slice(prefix.length + 1)))
      return channel;
  }
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The engagement map held in a computed map (malformed entries dropped). */
export function readEngagement(value: unknown): Engagement {
  if (!isRecord(value)) return {};
  const out: Partial<Record<EngagementChannel, ChannelEngagement>> = {};
  for (const [channel, entry] of Object.entries(value)) {
    if (!isRecord(entry) || typeof entry.count !== 'number' || typeof entry.lastAt !== 'number') continue;
    const events = isRecord(entry.events) ? (entry.events as Record<string, number>) : {};
    out[channel as EngagementChannel] = { count: entry.count, lastAt: entry.lastAt, events };
  }
  return out;
}

/** Counts one engagement event at `at`; an older event never moves `lastAt` back. */
export function addEngagement(
  engagement: Engagement,
  channel: EngagementChannel,
  event: { readonly name: string; readonly at: number },
): Engagement {
  const current = engagement[channel];
  const events = { ...current?.events, [event.name]: (current?.events[event.name] ?? 0) + 1 };
  const lastAt = Math.max(current?.lastAt ?? event.at, event.at);
  return { ...engagement, [channel]: { count: (current?.count ?? 0) + 1, lastAt, events } };
}

/** Two people's engagement as one: counts add up, the latest time wins. */
export function mergeEngagement(a: Engagement, b: Engagement): Engagement {
  const out: Partial<Record<EngagementChannel, ChannelEngagement>> = { ...a };
  for (const [channel, theirs] of Object.entries(b) as [EngagementChannel, ChannelEngagement][]) {
    const ours = out[channel];
    if (!ours) {
      out[channel] = theirs;
      continue;
    }
    const events: Record<string, number> = { ...ours.events };
    for (const [name, n] of Object.entries(theirs.events)) events[name] = (events[name] ?? 0) + n;
    out[channel] = { count: ours.count + theirs.count, lastAt: Math.max(ours.lastAt, theirs.lastAt), events };
  }
  return out;
}

/** The channel engaged on last and when, for `lastEngagedChannel` / `lastEngagedAt`. */
export function lastEngagement(
  engagement: Engagement,
): { channel: EngagementChannel; at: number } | undefined {
  let last: { channel: EngagementChannel; at: number } | undefined;
  for (const [channel, e] of Object.entries(engagement) as [EngagementChannel, ChannelEngagement][]) {
    if (!last || e.lastAt > last.at || (e.lastAt === last.at && channel < last.channel)) {
      last = { channel, at: e.lastAt };
    }
  }
  return last;
}
