/**
 * What a template can read: the roots of the Liquid scope. Anything else is reported as an unknown
 * variable when the template is saved.
 */
export const RENDER_ROOTS = ['profile', 'traits', 'event', 'context', 'catalog'] as const;
export type RenderRoot = (typeof RENDER_ROOTS)[number];

/**
 * The scope of one render: the person's profile (`profile.traits`, `profile.computed`, ...), their
 * traits as a shortcut, the trigger event (Segment message), the run context (including webhook
 * responses) and the catalog. Only own properties are visible (liquidjs `ownPropertyOnly`).
 */
export type RenderData = { readonly [K in RenderRoot]?: unknown };
