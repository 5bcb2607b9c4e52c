import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileTemplate } from '../../../channels/render/compile-template.js';
import type { EpochMs, ProfileId } from '../../../core/brand.js';
import { messageTemplateSchema } from '../../../core/channels/template.js';
import { createProfile, setTraits, type Profile } from '../../../core/profiles/profile.js';
import { openSqliteMessaging, type SqliteMessaging } from '../../../store/sqlite/sqlite-messaging.js';
import { openSqliteStore } from '../../../store/sqlite/sqlite-store.js';
import type { PlannedSend, Store } from '../../../store/store.js';
import type { DispatcherOptions } from '../dispatcher.js';

/** A store and the messaging tables in a temporary directory, for dispatcher tests and benchmarks. */
export interface DispatchFixture {
  readonly dir: string;
  readonly store: Store;
  readonly messaging: SqliteMessaging;
  /** The stores a `Dispatcher` reads and writes: spread into its options. */
  readonly ports: Pick<DispatcherOptions, 'outbox' | 'store' | 'templates' | 'consent'>;
  /** Writes a profile with these traits (and overrides) and returns it. */
  addProfile(id: string, traits: Record<string, unknown>, extra?: Partial<Profile>): Promise<Profile>;
  /** Saves a template (validated and compiled as the API does) and returns its version. */
  saveTemplate(template: Record<string, unknown>): Promise<number>;
  /** Plans a send with defaults: template `t`, version 1, marketing, channel `email`. */
  plan(key: string, profileId: string, extra?: Partial<PlannedSend>): Promise<void>;
  close(options?: { keep?: boolean }): Promise<void>;
}

/**
 * Opens a fixture at `dir` (a new temporary directory when absent).
 * @example const f = await openDispatchFixture(); await f.addProfile('p1', { email: 'a@b.co' });
 */
export async function openDispatchFixture(
  options: { dir?: string; now?: () => number } = {},
): Promise<DispatchFixture> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'orkestra-dispatch-'));
  const now = options.now ?? Date.now;
  const path = join(dir, 'orkestra.db');
  const store = openSqliteStore({ path, synchronous: 'normal' });
  const messaging = openSqliteMessaging({ path, synchronous: 'normal' });
  return {
    dir,
    store,
    ports: {
      outbox: messaging.outbox,
      store,
      templates: messaging.templates,
      consent: messaging.consent,
    },
    messaging,
    async addProfile(id, traits, extra = {}) {
      const at = now() as EpochMs;
      const profile = { ...setTraits(createProfile(id as ProfileId, at, 'server'), traits, at), ...extra };
      await store.commitBatch({ merges: [], identities: new Map(), events: [], profiles: [profile] });
      return profile;
    },
    async saveTemplate(template) {
      const saved = await messaging.templates.saveTemplate(
        String(template.id),
        now() as EpochMs,
        async (v) => {
          const parsed = messageTemplateSchema.parse({ ...template, version: v });
          const compiled = await compileTemplate(parsed);
          if (!compiled.ok) throw new Error(JSON.stringify(compiled.error));
          return { source: parsed, compiled: { ...compiled.value.template }, warnings: [] };
        },
      );
      return saved.version;
    },
    async plan(key, profileId, extra = {}) {
      await messaging.outbox.plan([
        {
          idempotencyKey: key,
          profileId: profileId as ProfileId,
          channel: 'email',
          templateId: 't',
          templateVersion: 1,
          category: 'marketing',
          plannedAt: now() as EpochMs,
          ...extra,
        },
      ]);
    },
    async close({ keep = false } = {}) {
      messaging.close();
      await store.close();
      if (!keep && !options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A template with an email (MJML) and an SMS variant. */
export const SAMPLE_TEMPLATE = {
  id: 't',
  defaultLocale: 'en',
  variants: {
    email: {
      en: {
        subject: 'Hello {{ traits.firstName }}',
        format: 'mjml',
        body: '<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{ traits.firstName }}, see <a href="https://shop.example/sale">the sale</a></mj-text></mj-column></mj-section></mj-body></mjml>',
        from: { address: 'news@shop.example', name: 'Shop' },
      },
    },
    sms: { en: { body: 'Hi {{ traits.firstName }}' } },
    push: { en: { title: 'Hi', body: 'Hello {{ traits.firstName }}' } },
  },
};
