import { RENDER_ROOTS } from './render-data.js';
import { createLiquidEngine } from './liquid-engine.js';

/** A problem found in a template when it is saved. */
export interface TemplateIssue {
  /** Where: `variants.email.tr.subject`. */
  readonly field: string;
  readonly kind: 'syntax' | 'unknown-filter' | 'unknown-variable' | 'mjml';
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

const UNKNOWN_FILTER = /^undefined filter: ([^,\s]+)/;
const POSITION = /line:(\d+), col:(\d+)/;
/** Unknown filters reported per field before giving up (each costs one re-parse). */
const MAX_UNKNOWN_FILTERS = 20;

const position = (message: string) => {
  const m = POSITION.exec(message);
  return m ? { line: Number(m[1]), column: Number(m[2]) } : {};
};

/**
 * Checks one Liquid source: syntax errors, every unknown filter (liquidjs stops at the first, so each
 * one found is stubbed on a scratch engine and the source parsed again), and variables outside the
 * allowed roots (`profile`, `traits`, `event`, `context`, `catalog`) that are not local (`assign`, `for`).
 *
 * @example analyzeLiquid('{{ profle.name | upcse }}', 'sms.en.body') // unknown-filter upcse, unknown-variable profle
 */
export function analyzeLiquid(source: string, field: string): TemplateIssue[] {
  const engine = createLiquidEngine({ escapeHtml: false });
  const issues: TemplateIssue[] = [];
  for (let attempt = 0; attempt <= MAX_UNKNOWN_FILTERS; attempt++) {
    try {
      const parsed = engine.parse(source);
      const { globals } = engine.analyzeSync(parsed, { partials: false });
      for (const [name, uses] of Object.entries(globals)) {
        if ((RENDER_ROOTS as readonly string[]).includes(name)) continue;
        const at = uses[0]?.location;
        issues.push({
          field,
          kind: 'unknown-variable',
          message: `unknown variable "${name}": templates can read ${RENDER_ROOTS.join(', ')}`,
          ...(at ? { line: at.row, column: at.col } : {}),
        });
      }
      return issues;
    } catch (e) {
      const message = (e as Error).message;
      const filter = UNKNOWN_FILTER.exec(message)?.[1];
      if (filter === undefined) return [...issues, { field, kind: 'syntax', message, ...position(message) }];
      issues.push({
        field,
        kind: 'unknown-filter',
        message: `unknown filter "${filter}"`,
        ...position(message),
      });
      engine.registerFilter(filter, (v: unknown) => v);
    }
  }
  return issues;
}
