import type { Liquid, Template } from 'liquidjs';
import { htmlToText } from '../../core/channels/html-to-text.js';
import type { RenderedByChannel, RenderedContent } from '../../core/channels/rendered-message.js';
import { smsInfo } from '../../core/channels/sms-encoding.js';
import { selectVariant } from '../../core/channels/template.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import { err, ok, type Result } from '../../core/result.js';
import type { CompiledTemplate } from './compile-template.js';
import { createLiquidEngine, type LiquidLimits } from './liquid-engine.js';
import type { RenderData } from './render-data.js';

/** Why a message could not be rendered. */
export interface RenderFailure {
  readonly code: 'no-variant' | 'render-error';
  readonly message: string;
}

export type RenderResult<C extends MessageChannel> = Result<RenderedContent<C>, RenderFailure>;

/** Renders compiled templates per recipient; parsed Liquid is cached by source. */
export interface MessageRenderer {
  renderMessage<C extends MessageChannel>(
    compiled: CompiledTemplate,
    channel: C,
    locale: string | undefined,
    data: RenderData,
  ): Promise<RenderResult<C>>;
}

type Render = (source: string) => Promise<string>;

/** Renders every string in `value` (deeply), keeping its shape. */
async function renderStrings<T>(value: T, render: Render): Promise<T> {
  if (typeof value === 'string') return (await render(value)) as T;
  if (Array.isArray(value))
    return (await Promise.all(value.map((v: unknown) => renderStrings(v, render)))) as T;
  if (value && typeof value === 'object') {
    const entries = await Promise.all(
      Object.entries(value).map(async ([k, v]) => [k, await renderStrings(v, render)] as const),
    );
    return Object.fromEntries(entries) as T;
  }
  return value;
}

/** Drops optional strings that rendered empty (`image: '{{ event.image }}'` with no image). */
function withoutEmpty<T extends object>(value: T, keys: readonly (keyof T)[]): T {
  const out = { ...value };
  for (const k of keys) if (out[k] === '') delete out[k];
  return out;
}

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** Shapes a rendered variant into the channel's payload. */
async function shape<C extends MessageChannel>(
  compiled: CompiledTemplate,
  channel: C,
  locale: string | undefined,
  engines: { text: Render; html: Render },
): Promise<RenderedContent<C> | undefined> {
  const pick = <K extends MessageChannel>(c: K) => selectVariant(compiled, c, locale)?.variant;
  const text = engines.text;
  const out = await (async (): Promise<RenderedByChannel[MessageChannel] | undefined> => {
    const c: MessageChannel = channel;
    switch (c) {
      case 'email': {
        const v = pick('email');
        if (!v) return undefined;
        const { html, ...rest } = v;
        const r = await renderStrings(rest, text);
        const renderedHtml = await engines.html(html);
        return {
          channel: 'email',
          ...r,
          subject: oneLine(r.subject),
          html: renderedHtml,
          text: r.text ?? htmlToText(renderedHtml),
        };
      }
      case 'sms': {
        const v = pick('sms');
        if (!v) return undefined;
        const body = (await text(v.body)).trim();
        return { channel: 'sms', body, info: smsInfo(body) };
      }
      case 'push': {
        const v = pick('push');
        return v && { channel: 'push', ...withoutEmpty(await renderStrings(v, text), ['image', 'deepLink']) };
      }
      case 'webpush': {
        const v = pick('webpush');
        return v && { channel: 'webpush', ...withoutEmpty(await renderStrings(v, text), ['icon', 'url']) };
      }
      case 'whatsapp': {
        const v = pick('whatsapp');
        if (!v) return undefined;
        const r = await renderStrings(v, text);
        return r.type === 'template'
          ? { channel: 'whatsapp', type: 'template', ...r.template }
          : {
              channel: 'whatsapp',
              type: 'text',
              text: r.text,
              ...(r.previewUrl !== undefined ? { previewUrl: r.previewUrl } : {}),
            };
      }
      case 'inapp': {
        const v = pick('inapp');
        return v && { channel: 'inapp', ...withoutEmpty(await renderStrings(v, text), ['image']) };
      }
      case 'webhook': {
        const v = pick('webhook');
        if (!v) return undefined;
        const r = await renderStrings(v, text);
        return {
          channel: 'webhook',
          method: r.method,
          url: r.url.trim(),
          headers: r.headers ?? {},
          body: r.body,
        };
      }
    }
  })();
  return out as RenderedContent<C> | undefined;
}

/** A bounded cache of parsed Liquid, cleared when full (sources are few: one per variant field). */
function cachedRender(engine: Liquid, data: RenderData, cache: Map<string, Template[]>, max: number): Render {
  return async (source) => {
    if (!source.includes('{')) return source;
    let parsed = cache.get(source);
    if (!parsed) {
      if (cache.size >= max) cache.clear();
      parsed = engine.parse(source);
      cache.set(source, parsed);
    }
    return String(await engine.render(parsed, data));
  };
}

/**
 * Creates a renderer with its own engines and parse cache: one for text fields, one that escapes
 * output for HTML bodies.
 *
 * @example
 * const r = await createMessageRenderer().renderMessage(compiled, 'sms', 'tr-TR', { traits: { firstName: 'Çağla' } });
 */
export function createMessageRenderer(
  options: { limits?: Partial<LiquidLimits>; cacheSize?: number } = {},
): MessageRenderer {
  const textEngine = createLiquidEngine({
    escapeHtml: false,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const htmlEngine = createLiquidEngine({
    escapeHtml: true,
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const textCache = new Map<string, Template[]>();
  const htmlCache = new Map<string, Template[]>();
  const max = options.cacheSize ?? 10_000;
  return {
    async renderMessage(compiled, channel, locale, data) {
      const engines = {
        text: cachedRender(textEngine, data, textCache, max),
        html: cachedRender(htmlEngine, data, htmlCache, max),
      };
      try {
        const content = await shape(compiled, channel, locale, engines);
        if (!content)
          return err({ code: 'no-variant', message: `template ${compiled.id} has no ${channel} variant` });
        return ok(content);
      } catch (e) {
        return err({ code: 'render-error', message: (e as Error).message });
      }
    },
  };
}

let shared: MessageRenderer | undefined;

/**
 * Renders one message for one recipient with a shared default renderer: the variant for `locale`
 * (falling back to the default locale), Liquid over `data`, in `channel`'s payload format.
 *
 * @example await renderMessage(compiled, 'email', 'tr-TR', { profile, traits: profile.traits, event })
 */
export function renderMessage<C extends MessageChannel>(
  compiled: CompiledTemplate,
  channel: C,
  locale: string | undefined,
  data: RenderData,
): Promise<RenderResult<C>> {
  shared ??= createMessageRenderer();
  return shared.renderMessage(compiled, channel, locale, data);
}
