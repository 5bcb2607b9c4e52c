import { Liquid } from 'liquidjs';

/** DoS limits for one parse or render (liquidjs `parseLimit`, `renderLimit`, `memoryLimit`). */
export interface LiquidLimits {
  /** Characters parsed in one `parse()` call. */
  readonly parseLimit: number;
  /** Milliseconds for one `render()` call. */
  readonly renderLimit: number;
  /** Objects/characters allocated by filters in one render. */
  readonly memoryLimit: number;
}

export const DEFAULT_LIQUID_LIMITS: LiquidLimits = {
  parseLimit: 1_000_000,
  renderLimit: 1_000,
  memoryLimit: 10_000_000,
};

/** Tags that would read other templates from a file system: templates here stand alone. */
const FILE_TAGS = ['include', 'render', 'layout'];

/**
 * A liquidjs engine in safe mode: own properties only (no prototype walking), unknown filters are
 * errors, render and parse limits, no file system (`include`/`render`/`layout` removed, an empty
 * in-memory template map), UTC dates. `escapeHtml` escapes every `{{ }}` output (use `| raw` to opt
 * out) for HTML bodies, so a trait cannot inject markup.
 *
 * @example await createLiquidEngine({ escapeHtml: true }).parseAndRender('{{ a }}', { a: '<b>' }) // '&lt;b&gt;'
 */
export function createLiquidEngine(options: { escapeHtml: boolean; limits?: Partial<LiquidLimits> }): Liquid {
  const limits = { ...DEFAULT_LIQUID_LIMITS, ...options.limits };
  const engine = new Liquid({
    ownPropertyOnly: true,
    strictFilters: true,
    strictVariables: false,
    templates: {},
    relativeReference: false,
    dynamicPartials: false,
    timezoneOffset: 0,
    ...(options.escapeHtml ? { outputEscape: 'escape' as const } : {}),
    ...limits,
  });
  for (const tag of FILE_TAGS) delete engine.tags[tag];
  return engine;
}
