/**
 * A plain-text rendering of an HTML email, for the `text/plain` part of multipart/alternative
 * (RFC 2046 §5.1.4) when the template has none. Regex-based: enough for generated email HTML (MJML
 * output, simple hand-written HTML), not a general HTML parser.
 */

const NAMED: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  rsquo: '’',
  lsquo: '‘',
  rdquo: '”',
  ldquo: '“',
  euro: '€',
  zwnj: '',
};

/** Decodes named (a common subset) and numeric character references. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

const attr = (tag: string, name: string): string | undefined =>
  new RegExp(`\\s${name}\\s*=\\s*("([^"]*)"|'([^']*)')`, 'i')
    .exec(tag)
    ?.slice(2)
    .find((v) => v !== undefined);

/**
 * Converts email HTML to readable text: hidden blocks, head, styles and comments dropped; links as
 * `text (url)`; block ends and `<br>` as line breaks; list items as `- item`.
 *
 * @example htmlToText('<p>Hi <a href="https://x.io">there</a></p>') // 'Hi there (https://x.io)'
 */
export function htmlToText(html: string): string {
  const text = html
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(head|style|script|title)\b[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<(div|span|p)\b[^>]*display\s*:\s*none[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(/<a\b([^>]*)>([\s\S]*?)<\/a\s*>/gi, (_m, attrs: string, inner: string) => {
      const href = attr(attrs, 'href');
      const label = inner.replace(/<[^>]+>/g, '').trim();
      if (!href || href.startsWith('#') || decodeEntities(label) === decodeEntities(href))
        return label || href || '';
      return label ? `${label} (${href})` : href;
    })
    .replace(/<img\b[^>]*>/gi, (tag) => attr(tag, 'alt') ?? '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<li\b[^>]*>/gi, '\n- ')
    .replace(/<\/(p|div|h[1-6]|tr|table|ul|ol|li|blockquote|section)\s*>/gi, '\n')
    .replace(/<(p|h[1-6]|table|blockquote)\b[^>]*>/gi, '\n')
    .replace(/<[^>]+>/g, '');
  return decodeEntities(text)
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
