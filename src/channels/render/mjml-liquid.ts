import mjml2html from 'mjml';

/**
 * MJML compiled once, when the template is saved, with its Liquid kept for rendering per recipient.
 * MJML drops text between components and mangles quotes and `&` in attributes, so Liquid is swapped
 * for inert placeholders first and put back after: a block tag (`{% if %}`, `{% for %}`) standing
 * between components goes into `<mj-raw>` (passed through verbatim), anything inside a component's
 * content or an attribute (`href="{{ url }}"`) is a bare placeholder.
 */

const LIQUID = /\{%-?[\s\S]*?-?%\}|\{\{-?[\s\S]*?-?\}\}/g;
const PLACEHOLDER = /ORKLQ(\d+)Q/g;
/** MJML "ending tags": their content is HTML that MJML copies as it is. */
const ENDING_TAGS = new Set([
  'mj-text',
  'mj-button',
  'mj-raw',
  'mj-table',
  'mj-navbar-link',
  'mj-accordion-title',
  'mj-accordion-text',
  'mj-social-element',
  'mj-title',
  'mj-preview',
  'mj-style',
]);
const MJ_TAG = /<(\/?)(mj-[a-z-]+)\b[^>]*?(\/?)>/g;

/** True when the end of `prefix` is inside an ending tag's content, where Liquid may stay inline. */
function isInsideContent(prefix: string): boolean {
  let last: RegExpExecArray | undefined;
  for (const m of prefix.matchAll(MJ_TAG)) last = m;
  if (!last) return false;
  const [, closing, name, selfClosing] = last;
  return !closing && !selfClosing && name !== undefined && ENDING_TAGS.has(name);
}

/** True when the end of `prefix` is inside a tag's attributes (`<mj-button href="`). */
const isInsideTag = (prefix: string): boolean => prefix.lastIndexOf('<') > prefix.lastIndexOf('>');

/** Replaces Liquid with placeholders; `restore` puts the original Liquid back into MJML's output. */
export function protectLiquid(mjml: string): { source: string; restore: (html: string) => string } {
  const originals: string[] = [];
  let source = '';
  let from = 0;
  for (const m of mjml.matchAll(LIQUID)) {
    source += mjml.slice(from, m.index);
    from = m.index + m[0].length;
    const token = `ORKLQ${originals.push(m[0]) - 1}Q`;
    const inline = isInsideTag(source) || isInsideContent(source);
    source += inline ? token : `<mj-raw>${token}</mj-raw>`;
  }
  source += mjml.slice(from);
  return {
    source,
    restore: (html) => html.replace(PLACEHOLDER, (p, i: string) => originals[Number(i)] ?? p),
  };
}

/** MJML compiled to HTML, with MJML's validation messages (rendered anyway: validation is soft). */
export interface CompiledMjml {
  readonly html: string;
  readonly warnings: readonly { readonly line: number; readonly message: string }[];
}

/**
 * Compiles MJML (mjml 5, async) keeping Liquid intact. No `mj-include`: templates are self-contained.
 *
 * @example await compileMjml('<mjml><mj-body>{% if traits.vip %}<mj-section>…</mj-section>{% endif %}</mj-body></mjml>')
 */
export async function compileMjml(mjml: string): Promise<CompiledMjml> {
  const { source, restore } = protectLiquid(mjml);
  const result = await mjml2html(source, {
    validationLevel: 'soft',
    ignoreIncludes: true,
    keepComments: false,
  });
  return {
    html: restore(result.html),
    warnings: result.errors.map((e) => ({ line: e.line, message: e.formattedMessage || e.message })),
  };
}
