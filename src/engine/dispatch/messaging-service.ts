import { createInboxInApp, type InAppInbox } from '../../channels/inapp/inapp-inbox.js';
import type { EpochMs } from '../../core/brand.js';
import type {
  ConsentStore,
  InboxEntry,
  OutboxStore,
  ProviderStore,
  Store,
  TemplateStore,
} from '../../store/store.js';
import { ConsentService } from './consent-service.js';
import { createDecorator, createLinkContext } from './decorate-email.js';
import {
  createProfileEventEmitter,
  createTokenInvalidator,
  type EmitProfileEvent,
} from './profile-events.js';
import { createLinkSigner, type LinkSigner } from './signed-links.js';
import { Dispatcher, type DispatcherOptions } from './dispatcher.js';
import { EmailTracker } from './email-tracker.js';
import { OutcomeService } from './outcome-service.js';
import { composeDecorators } from './send-job.js';
import { ProviderRegistry } from './provider-registry.js';
import { TemplateService } from './template-service.js';

/** The storage ports messaging uses. */
export interface MessagingPorts {
  readonly outbox: OutboxStore;
  readonly templates: TemplateStore;
  readonly consent: ConsentStore;
  readonly providers: ProviderStore;
  /** The in-app inbox; when given, the `inapp` channel delivers into it without any configuration. */
  readonly inapp?: InAppInbox;
}

export interface MessagingServiceOptions {
  readonly store: Store;
  readonly ports: MessagingPorts;
  /** Seals provider credentials (see `resolveSecretKey`). */
  readonly key: Buffer;
  readonly clock: () => EpochMs;
  /** Extra dispatcher options: decoration (unsubscribe, tracking), invalid tokens, retry policy. */
  readonly dispatch?: Partial<Pick<DispatcherOptions, 'decorate' | 'onInvalidToken' | 'retry' | 'pollMs'>>;
  readonly onError?: (error: unknown) => void;
  /** Public base URL for links (https for RFC 8058); read when a link is made. */
  readonly publicUrl: () => string;
  /** Appends to the inbox (the group committer), for the events messaging observes. */
  readonly append: (entries: readonly InboxEntry[]) => Promise<unknown>;
}

/**
 * Messaging at run time: the provider registry, the template service and the outbox dispatcher,
 * started and stopped together by the composition root.
 * @example const messaging = new MessagingService({ store, ports, key, clock }); await messaging.start();
 */
export class MessagingService {
  readonly registry: ProviderRegistry;
  readonly dispatcher: Dispatcher;
  readonly templateService: TemplateService;
  readonly consent: ConsentService;
  readonly links: LinkSigner;
  readonly emit: EmitProfileEvent;
  readonly tracker: EmailTracker;
  readonly outcomes: OutcomeService;

  constructor(readonly options: MessagingServiceOptions) {
    const { store, ports, clock } = options;
    const onError = options.onError ?? console.error;
    this.registry = new ProviderRegistry({
      providers: ports.providers,
      key: options.key,
      onError,
      builtIn: ports.inapp ? [createInboxInApp(ports.inapp, { now: clock })] : [],
    });
    this.templateService = new TemplateService({ templates: ports.templates, store, clock });
    this.links = createLinkSigner(options.key);
    this.emit = createProfileEventEmitter({ store, append: options.append });
    this.consent = new ConsentService({
      store,
      consent: ports.consent,
      links: this.links,
      emit: this.emit,
      clock,
      get publicUrl() {
        return options.publicUrl();
      },
    });
    this.tracker = new EmailTracker({
      links: this.links,
      emit: this.emit,
      store,
      clock,
      publicUrl: options.publicUrl,
      outbox: ports.outbox,
    });
    this.outcomes = new OutcomeService({
      outbox: ports.outbox,
      consent: ports.consent,
      emit: this.emit,
      clock,
    });
    this.dispatcher = new Dispatcher({
      outbox: ports.outbox,
      store,
      templates: ports.templates,
      consent: ports.consent,
      lanes: () => this.registry.lanes(),
      clock,
      onError,
      decorate: composeDecorators(
        createDecorator({ consent: this.consent, publicUrl: options.publicUrl }),
        this.tracker.decorate,
      ),
      extraContext: createLinkContext({ consent: this.consent }),
      onInvalidToken: createTokenInvalidator({ emit: this.emit, clock }),
      ...options.dispatch,
    });
  }

  async start(): Promise<void> {
    await this.registry.reload();
    await this.tracker.reload();
    await this.dispatcher.start();
  }

  async stop(): Promise<void> {
    await this.dispatcher.stop();
    await this.registry.close();
  }
}
