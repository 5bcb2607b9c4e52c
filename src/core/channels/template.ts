import { z } from 'zod';
import { emailTrackingSchema } from './email-tracking.js';
import { MESSAGE_CHANNELS, variantSchemas, type MessageChannel } from './variants.js';

/** A BCP 47 language tag as used here: `en`, `tr-TR`, `pt-BR`, `zh-Hant-TW`. */
export const localeSchema = z
  .string()
  .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'expected a BCP 47 tag like tr-TR');

const byLocale = <S extends z.ZodType>(schema: S) =>
  z.record(localeSchema, schema).refine((r) => Object.keys(r).length > 0, 'at least one locale');

/** Per channel, per locale variants (`variants.email['tr-TR']`). */
export const templateVariantsSchema = z.object({
  email: byLocale(variantSchemas.email).optional(),
  sms: byLocale(variantSchemas.sms).optional(),
  push: byLocale(variantSchemas.push).optional(),
  webpush: byLocale(variantSchemas.webpush).optional(),
  whatsapp: byLocale(variantSchemas.whatsapp).optional(),
  inapp: byLocale(variantSchemas.inapp).optional(),
  webhook: byLocale(variantSchemas.webhook).optional(),
});

/**
 * A message template: one message with per-channel and per-locale variants. Versioned: a saved change
 * makes a new version, and a run sends the version that was live when its step ran.
 *
 * @example
 * messageTemplateSchema.parse({ id: 'welcome', version: 1, defaultLocale: 'en',
 *   variants: { sms: { en: { body: 'Hi {{ profile.traits.firstName }}' }, tr: { body: 'Merhaba' } } } });
 */
export const messageTemplateSchema = z
  .object({
    id: z.string().min(1).max(200),
    version: z.number().int().positive(),
    name: z.string().max(200).optional(),
    defaultLocale: localeSchema,
    variants: templateVariantsSchema,
    /** Email open and click tracking, and UTM parameters for its links; off when absent. */
    tracking: emailTrackingSchema.optional(),
  })
  .superRefine((t, ctx) => {
    for (const channel of MESSAGE_CHANNELS) {
      const locales = t.variants[channel];
      if (locales && !(t.defaultLocale in locales))
        ctx.addIssue({
          code: 'custom',
          path: ['variants', channel],
          message: `has no variant for the default locale ${t.defaultLocale}`,
        });
    }
  });
export type MessageTemplate = z.infer<typeof messageTemplateSchema>;

/** Anything with per-channel, per-locale variants: a template, or a compiled template. */
export interface LocalizedVariants {
  readonly defaultLocale: string;
  readonly variants: { readonly [C in MessageChannel]?: Readonly<Record<string, unknown>> };
}

/** The variant type of channel `C` in `T`. */
export type VariantIn<T extends LocalizedVariants, C extends MessageChannel> = NonNullable<
  T['variants'][C]
>[string];

/** The variant chosen for a recipient, and the locale it was written in. */
export interface SelectedVariant<C extends MessageChannel, V> {
  readonly channel: C;
  readonly locale: string;
  readonly variant: V;
}

/** Locales to try for `locale`, most specific first: `zh-Hant-TW` → `zh-Hant-TW`, `zh-Hant`, `zh`. */
export function localeFallbacks(locale: string): string[] {
  const parts = locale.split('-');
  const out: string[] = [];
  for (let n = parts.length; n > 0; n--) out.push(parts.slice(0, n).join('-'));
  return out;
}

/** Finds `wanted` among `available` ignoring case (`tr-tr` matches `tr-TR`). */
function findLocale(available: readonly string[], wanted: string): string | undefined {
  const lower = wanted.toLowerCase();
  return available.find((l) => l.toLowerCase() === lower);
}

/**
 * Picks the channel's variant for a person's locale: the exact locale, then its shorter prefixes
 * (`tr-TR` → `tr`), then a variant whose language matches (`tr` → `tr-CY`), then the default locale.
 * Undefined when the template has no variant for the channel.
 *
 * @example selectVariant(template, 'sms', 'tr-TR') // { channel: 'sms', locale: 'tr', variant: { body: 'Merhaba' } }
 */
export function selectVariant<T extends LocalizedVariants, C extends MessageChannel>(
  template: T,
  channel: C,
  locale: string | undefined,
): SelectedVariant<C, VariantIn<T, C>> | undefined {
  const variants = template.variants[channel] as Readonly<Record<string, VariantIn<T, C>>> | undefined;
  if (!variants) return undefined;
  const available = Object.keys(variants);
  const language = locale?.split('-')[0]?.toLowerCase();
  const chosen =
    (locale
      ? localeFallbacks(locale)
          .map((l) => findLocale(available, l))
          .find(Boolean)
      : undefined) ??
    (language ? available.find((l) => l.split('-')[0]?.toLowerCase() === language) : undefined) ??
    template.defaultLocale;
  const variant = variants[chosen];
  return variant ? { channel, locale: chosen, variant } : undefined;
}
