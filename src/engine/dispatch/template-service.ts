import { compileTemplate, type CompiledTemplate } from '../../channels/render/compile-template.js';
import type { TemplateIssue } from '../../channels/render/analyze-liquid.js';
import {
  createMessageRenderer,
  type MessageRenderer,
  type RenderResult,
} from '../../channels/render/render-message.js';
import type { EpochMs, ProfileId } from '../../core/brand.js';
import { messageTemplateSchema } from '../../core/channels/template.js';
import type { MessageChannel } from '../../core/channels/variants.js';
import { issuesFromZod, type FieldIssue } from '../../core/messages/validation-error.js';
import { err, ok, type Result } from '../../core/result.js';
import type { Store, StoredTemplate, TemplateStore } from '../../store/store.js';

/** Why a template was not saved: the shape is wrong, or Liquid found problems. */
export type SaveFailure =
  | { readonly kind: 'invalid'; readonly issues: readonly FieldIssue[] }
  | { readonly kind: 'template'; readonly issues: readonly TemplateIssue[] };

/** What a preview renders: a variant for a profile, with an optional sample event and context. */
export interface PreviewRequest {
  readonly id: string;
  readonly version?: number | undefined;
  readonly channel: MessageChannel;
  readonly locale?: string | undefined;
  readonly profileId: string;
  readonly event?: Readonly<Record<string, unknown>> | undefined;
  readonly context?: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Templates: each save validates the template, compiles MJML once and checks every Liquid string
 * (unknown variables and filters are reported, and refuse the save), then stores a new version.
 * @example const saved = await templates.save({ id: 'welcome', defaultLocale: 'en', variants: { ... } });
 */
export class TemplateService {
  private readonly renderer: MessageRenderer;

  constructor(
    private readonly options: {
      templates: TemplateStore;
      store: Pick<Store, 'getProfile'>;
      clock: () => EpochMs;
    },
  ) {
    this.renderer = createMessageRenderer();
  }

  async save(input: Readonly<Record<string, unknown>>): Promise<Result<StoredTemplate, SaveFailure>> {
    const parsed = messageTemplateSchema.safeParse({ ...input, version: 1 });
    if (!parsed.success) return err({ kind: 'invalid', issues: issuesFromZod(parsed.error, '$', input) });
    const check = await compileTemplate(parsed.data);
    if (!check.ok) return err({ kind: 'template', issues: check.error });
    const saved = await this.options.templates.saveTemplate(
      parsed.data.id,
      this.options.clock(),
      async (version) => {
        const source = { ...parsed.data, version };
        const compiled = { ...check.value.template, version };
        return { source, compiled: { ...compiled }, warnings: check.value.warnings };
      },
    );
    return ok(saved);
  }

  /** Renders one variant for one profile; undefined when the template or profile does not exist. */
  async preview(
    request: PreviewRequest,
  ): Promise<RenderResult<MessageChannel> | 'no-template' | 'no-profile'> {
    const stored = await this.options.templates.getTemplate(request.id, request.version);
    if (!stored) return 'no-template';
    const record = await this.options.store.getProfile(request.profileId as ProfileId);
    if (!record) return 'no-profile';
    const profile = record.profile;
    const locale =
      request.locale ?? (typeof profile.traits.locale === 'string' ? profile.traits.locale : undefined);
    const compiled = stored.compiled as unknown as CompiledTemplate;
    const data = { profile, traits: profile.traits, event: request.event, context: request.context ?? {} };
    return this.renderer.renderMessage(compiled, request.channel, locale, data);
  }
}
