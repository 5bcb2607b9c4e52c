import { err, ok, type Result } from '../../core/result.js';
import type { EmailTracking } from '../../core/channels/email-tracking.js';
import type { MessageTemplate } from '../../core/channels/template.js';
import { MESSAGE_CHANNELS, type Mailbox, type VariantOf } from '../../core/channels/variants.js';
import { analyzeLiquid, type TemplateIssue } from './analyze-liquid.js';
import { compileMjml } from './mjml-liquid.js';

/** An email variant after saving: the body is HTML (MJML already compiled), still holding Liquid. */
export interface CompiledEmailVariant {
  readonly subject: string;
  readonly html: string;
  readonly text?: string;
  readonly from: Mailbox;
  readonly replyTo?: Mailbox;
}

/** A template ready to render per recipient: serializable, stored beside the template version. */
export interface CompiledTemplate {
  readonly id: string;
  readonly version: number;
  readonly defaultLocale: string;
  /** Email open and click tracking (see `email-tracking.ts`); off when absent. */
  readonly tracking?: EmailTracking;
  readonly variants: {
    readonly email?: Readonly<Record<string, CompiledEmailVariant>>;
    readonly sms?: Readonly<Record<string, VariantOf<'sms'>>>;
    readonly push?: Readonly<Record<string, VariantOf<'push'>>>;
    readonly webpush?: Readonly<Record<string, VariantOf<'webpush'>>>;
    readonly whatsapp?: Readonly<Record<string, VariantOf<'whatsapp'>>>;
    readonly inapp?: Readonly<Record<string, VariantOf<'inapp'>>>;
    readonly webhook?: Readonly<Record<string, VariantOf<'webhook'>>>;
  };
}

/** Hidden preview text shown after the subject in inbox lists (the usual hidden-div technique). */
const PREHEADER_STYLE =
  'display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;overflow:hidden;mso-hide:all';

/** Puts the preheader first in `<body>` (or first, when there is no body tag). */
export function injectPreheader(html: string, preheader: string): string {
  const div = `<div style="${PREHEADER_STYLE}">${preheader}</div>`;
  const body = /<body\b[^>]*>/i.exec(html);
  return body
    ? html.slice(0, body.index + body[0].length) + div + html.slice(body.index + body[0].length)
    : div + html;
}

async function compileEmail(
  v: VariantOf<'email'>,
  field: string,
): Promise<{ variant: CompiledEmailVariant; warnings: TemplateIssue[] }> {
  const compiled = v.format === 'mjml' ? await compileMjml(v.body) : { html: v.body, warnings: [] as const };
  const html = v.preheader ? injectPreheader(compiled.html, v.preheader) : compiled.html;
  const warnings = compiled.warnings.map((w) => ({ field: `${field}.body`, kind: 'mjml' as const, ...w }));
  const variant: CompiledEmailVariant = {
    subject: v.subject,
    html,
    from: v.from,
    ...(v.text !== undefined ? { text: v.text } : {}),
    ...(v.replyTo ? { replyTo: v.replyTo } : {}),
  };
  return { variant, warnings };
}

/** Every string in `value` with its path, for Liquid checks. */
function* strings(value: unknown, path: string): Generator<[string, string]> {
  if (typeof value === 'string') yield [path, value];
  else if (Array.isArray(value)) for (const [i, v] of value.entries()) yield* strings(v, `${path}.${i}`);
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) yield* strings(v, `${path}.${k}`);
}

/**
 * Compiles a template when it is saved: MJML to HTML (once), then every Liquid string checked. Syntax
 * errors, unknown filters and unknown variables fail the save; MJML validation messages are warnings.
 *
 * @example const r = await compileTemplate(template); if (!r.ok) showIssues(r.error);
 */
export async function compileTemplate(
  template: MessageTemplate,
): Promise<
  Result<{ template: CompiledTemplate; warnings: readonly TemplateIssue[] }, readonly TemplateIssue[]>
> {
  const warnings: TemplateIssue[] = [];
  const email: Record<string, CompiledEmailVariant> = {};
  for (const [locale, v] of Object.entries(template.variants.email ?? {})) {
    const compiled = await compileEmail(v, `variants.email.${locale}`);
    email[locale] = compiled.variant;
    warnings.push(...compiled.warnings);
  }
  const { email: _source, ...others } = template.variants;
  const variants: CompiledTemplate['variants'] = { ...others, ...(template.variants.email ? { email } : {}) };
  const errors: TemplateIssue[] = [];
  for (const channel of MESSAGE_CHANNELS)
    for (const [field, source] of strings(variants[channel], `variants.${channel}`))
      if (source.includes('{')) errors.push(...analyzeLiquid(source, field));
  if (errors.length > 0) return err(errors);
  const { id, version, defaultLocale, tracking } = template;
  return ok({
    template: { id, version, defaultLocale, ...(tracking ? { tracking } : {}), variants },
    warnings,
  });
}
