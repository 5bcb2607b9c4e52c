import type { EpochMs, ProfileId } from '../../core/brand.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import { identityKey } from '../../core/profiles/identity.js';
import type { Profile } from '../../core/profiles/profile.js';
import { err, ok, type Result } from '../../core/result.js';
import type { ConsentStore, Store } from '../../store/store.js';
import { isSubscribed, loadConsentPolicy, type ConsentPolicy } from './consent-policy.js';
import type { EmitProfileEvent } from './profile-events.js';
import type { LinkSigner } from './signed-links.js';
import { smsKeyword, type SmsKeyword } from './sms-keywords.js';

/** What an unsubscribe link names: the profile, the channel and topic, and the message it came in. */
export type UnsubscribeToken = {
  readonly p: string;
  readonly c: MessageChannel;
  readonly t?: string;
  readonly k?: string;
};

/** One line of the preference page: a channel or a topic, and whether the person is subscribed. */
export interface PreferenceItem {
  readonly key: string;
  readonly label: string;
  readonly subscribed: boolean;
}

export interface ConsentServiceOptions {
  readonly store: Pick<Store, 'getProfile' | 'getSetting' | 'findOwners'>;
  readonly consent: ConsentStore;
  readonly links: LinkSigner;
  readonly emit: EmitProfileEvent;
  readonly clock: () => EpochMs;
  /** Public https base URL for links, without a trailing slash. */
  readonly publicUrl: string;
}

/**
 * Consent given through Orkestra: signed unsubscribe and preference links, the preference page's
 * model, and SMS keywords. Changes apply at once (the dispatcher reads them at send time) and are
 * also written as events through the inbox, so the profile's timeline shows them.
 * @example const url = consent.links('prf_1', 'email', 'newsletter', 'run:n:email').unsubscribe;
 */
export class ConsentService {
  constructor(private readonly options: ConsentServiceOptions) {}

  /** Signed unsubscribe (RFC 8058 one-click) and preference page URLs for one message. */
  links(profileId: string, channel: MessageChannel, topic?: string, key?: string) {
    const payload: UnsubscribeToken = {
      p: profileId,
      c: channel,
      ...(topic ? { t: topic } : {}),
      ...(key ? { k: key } : {}),
    };
    const base = this.options.publicUrl;
    return {
      unsubscribe: `${base}/unsubscribe/${this.options.links.sign('unsubscribe', payload)}`,
      preferences: `${base}/preferences/${this.options.links.sign('preferences', { p: profileId })}`,
    };
  }

  /** The profile id of a genuine unsubscribe token (without applying it). */
  unsubscribeTarget(token: string): string | undefined {
    const parsed = this.options.links.verify<UnsubscribeToken>('unsubscribe', token);
    return parsed.ok ? parsed.value.p : undefined;
  }

  /** Applies a one-click unsubscribe from a signed token. */
  async unsubscribe(token: string): Promise<Result<{ profileId: ProfileId; key: string }, string>> {
    const parsed = this.options.links.verify<UnsubscribeToken>('unsubscribe', token);
    if (!parsed.ok) return parsed;
    const record = await this.options.store.getProfile(parsed.value.p as ProfileId);
    if (!record) return err('unknown profile');
    const key = parsed.value.t ? `${parsed.value.c}:${parsed.value.t}` : parsed.value.c;
    await this.change(record.profile.id, { [key]: false }, 'one-click', parsed.value.k);
    return ok({ profileId: record.profile.id, key });
  }

  /** The preference page's model for a signed preference token. */
  async preferences(token: string): Promise<Result<{ profile: Profile; items: PreferenceItem[] }, string>> {
    const parsed = this.options.links.verify<{ p: string }>('preferences', token);
    if (!parsed.ok) return parsed;
    const record = await this.options.store.getProfile(parsed.value.p as ProfileId);
    if (!record) return err('unknown profile');
    const profile = record.profile;
    const policy = await loadConsentPolicy(this.options.store);
    const subs = { ...profile.subscriptions, ...(await this.options.consent.consentsOf(profile.id)) };
    return ok({ profile, items: preferenceItems(subs, policy) });
  }

  /** Saves the preference form: every listed key, checked or not. */
  async savePreferences(
    token: string,
    checked: ReadonlySet<string>,
  ): Promise<Result<PreferenceItem[], string>> {
    const current = await this.preferences(token);
    if (!current.ok) return current;
    const changes: Record<string, boolean> = {};
    for (const item of current.value.items)
      if (item.subscribed !== checked.has(item.key)) changes[item.key] = checked.has(item.key);
    await this.change(current.value.profile.id, changes, 'preference-page');
    return ok(current.value.items.map((i) => ({ ...i, subscribed: checked.has(i.key) })));
  }

  /** Applies STOP / START (and Turkish equivalents) from an inbound SMS; HELP changes nothing. */
  async inboundSms(from: string, body: string, messageSid: string): Promise<SmsKeyword | undefined> {
    const keyword = smsKeyword(body);
    if (keyword === undefined || keyword === 'help') return keyword;
    const owner = (await this.options.store.findOwners([identityKey('phone', from)])).get(
      identityKey('phone', from),
    );
    if (owner) await this.change(owner, { sms: keyword === 'start' }, `sms-keyword:${messageSid}`);
    return keyword;
  }

  private async change(profileId: ProfileId, changes: Record<string, boolean>, source: string, key?: string) {
    const at = this.options.clock();
    await this.options.consent.setConsent(profileId, changes, at, source);
    for (const [consentKey, subscribed] of Object.entries(changes)) {
      const [channel, topic] = consentKey.split(':');
      await this.options.emit({
        profileId,
        event: subscribed ? 'Subscribed' : 'Unsubscribed',
        properties: { channel, ...(topic ? { topic } : {}), source, ...(key ? { idempotencyKey: key } : {}) },
        messageId: `orkestra:consent:${profileId}:${consentKey}:${subscribed ? 1 : 0}:${at}`,
        at,
      });
    }
  }
}

/** Channels (email, SMS, push) and the policy's topics, with the person's current choice. */
export function preferenceItems(
  subs: Readonly<Record<string, boolean>>,
  policy: ConsentPolicy,
): PreferenceItem[] {
  const channels: [MessageChannel, string][] = [
    ['email', 'Email'],
    ['sms', 'SMS'],
    ['push', 'Push notifications'],
  ];
  const items: PreferenceItem[] = channels.map(([channel, label]) => ({
    key: channel,
    label,
    subscribed: isSubscribed(subs, { channel }, policy),
  }));
  for (const t of policy.topics)
    items.push({
      key: `${t.channel}:${t.id}`,
      label: t.label,
      subscribed: subs[`${t.channel}:${t.id}`] ?? t.default !== 'opt-in',
    });
  return items;
}
