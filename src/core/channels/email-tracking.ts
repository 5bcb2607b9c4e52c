import { z } from 'zod';

/** UTM parameters (Google Analytics campaign URL builder names), added to tracked links. */
export const utmSchema = z.object({
  source: z.string().min(1).max(200).optional(),
  medium: z.string().min(1).max(200).optional(),
  campaign: z.string().min(1).max(200).optional(),
  term: z.string().min(1).max(200).optional(),
  content: z.string().min(1).max(200).optional(),
});
export type Utm = z.infer<typeof utmSchema>;

/** Per template: whether email opens and clicks are tracked, and the UTM parameters of its links. */
export const emailTrackingSchema = z.object({
  opens: z.boolean().default(false),
  clicks: z.boolean().default(false),
  utm: utmSchema.optional(),
});
export type EmailTracking = z.output<typeof emailTrackingSchema>;

const isWebUrl = (url: string) => /^https?:\/\//i.test(url);

/**
 * Adds the UTM parameters a link does not already carry (a link's own `utm_*` wins).
 * @example withUtm('https://shop.example/sale', { source: 'orkestra', medium: 'email' })
 */
export function withUtm(url: string, utm: Utm | undefined): string {
  if (!utm || !isWebUrl(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  let changed = false;
  for (const [key, value] of Object.entries(utm)) {
    if (value === undefined || parsed.searchParams.has(`utm_${key}`)) continue;
    parsed.searchParams.set(`utm_${key}`, value);
    changed = true;
  }
  return changed ? parsed.toString() : url;
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&#38;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'");

/** `href` values of anchors: quoted absolute http(s) URLs only (mailto:, tel:, # stay as they are). */
const ANCHOR_HREF = /(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?:\/\/[^"']*)\2/gi;

/**
 * Replaces each http(s) link of an HTML body with what `wrap` makes of it (a signed redirect), the
 * link's entities decoded first (`&amp;` → `&`); `wrap` returning undefined leaves a link as it is.
 * @example rewriteLinks(html, (url) => `https://crm.example/t/c/${sign(url)}`)
 */
export function rewriteLinks(html: string, wrap: (url: string) => string | undefined): string {
  return html.replace(ANCHOR_HREF, (whole, start: string, quote: string, href: string) => {
    const wrapped = wrap(decodeEntities(href));
    return wrapped === undefined ? whole : `${start}${quote}${wrapped}${quote}`;
  });
}

/**
 * Adds a 1×1 open-tracking image just before `</body>` (or at the end).
 * @example insertPixel(html, 'https://crm.example/t/o/abc.gif')
 */
export function insertPixel(html: string, src: string): string {
  const img = `<img src="${src}" width="1" height="1" alt="" style="display:block;border:0;width:1px;height:1px" />`;
  const at = html.search(/<\/body\s*>/i);
  return at === -1 ? html + img : html.slice(0, at) + img + html.slice(at);
}

/** Whether a click target is a web URL a redirect may go to. */
export const isTrackableUrl = (url: unknown): url is string => typeof url === 'string' && isWebUrl(url);
