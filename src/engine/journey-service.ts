import { asEpochMs, MS_PER_DAY, type EpochMs, type ProfileId } from '../core/brand.js';
import { apiRunId, apiStartMessage, type ApiStartRequest } from '../core/journeys/api-start.js';
import type { Journey } from '../core/journeys/definition.js';
import { statsFromCounters, type JourneyStats } from '../core/journeys/journey-stats.js';
import type { RunState } from '../core/journeys/run-state.js';
import { parseSendPolicy, SEND_POLICY_KEY, sendPolicySchema } from '../core/journeys/send-policy.js';
import type { SendPolicy } from '../core/journeys/send-step.js';
import {
  simulateWindow,
  type SimulatedPerson,
  type SimulationReport,
} from '../core/journeys/simulate-window.js';
import { validateJourney, type JourneyProblem } from '../core/journeys/validate-journey.js';
import { err, ok, type Result } from '../core/result.js';
import type { PublishOutcome } from '../store/journey-store.js';
import type { Store, TemplateStore } from '../store/store.js';
import type { GroupCommitter } from './group-commit.js';
import { personOfProfile, type InboxPerson } from './journey-person.js';
import type { EngineHandle } from './profile-engine.js';

export interface JourneyServiceOptions {
  readonly store: Store;
  readonly committer: GroupCommitter;
  readonly engine: EngineHandle;
  readonly clock: () => EpochMs;
  /** The template store publishing checks send nodes against; without it, templates are not checked. */
  readonly templates?: Pick<TemplateStore, 'listTemplates'>;
  /** Inputs of runs ended longer ago than this are pruned (`pruneInputs`). Default 30. */
  readonly inputRetentionDays?: number;
}

/** Who an API start is for. */
export type StartTarget =
  { readonly userId: string } | { readonly anonymousId: string } | { readonly profileId: string };

/** What became of an API start. */
export type StartOutcome =
  | { readonly status: 'started'; readonly run: RunState; readonly duplicate: boolean }
  | { readonly status: 'refused'; readonly runId: string; readonly reason: string }
  | { readonly status: 'accepted'; readonly runId: string };

/** Canonical JSON (sorted keys) of a journey without its version, to tell a changed definition from the same one. */
function fingerprint(journey: Journey): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort({ ...journey, version: 0 }));
}

/**
 * What the journey API does beyond reading the store: publishing (validated; unchanged definitions
 * are not republished), API starts through the inbox, statistics, simulations and the send policy.
 * @example const service = new JourneyService({ store, committer, engine, clock });
 */
export class JourneyService {
  constructor(private readonly options: JourneyServiceOptions) {}

  /**
   * Validates and publishes a definition (the given one, else the saved draft). With `onlyIfChanged`,
   * a definition equal to the latest published version publishes nothing.
   */
  async publish(
    id: string,
    options: {
      definition?: unknown;
      migrate: boolean;
      onlyIfChanged: boolean;
      /** Publish even if send nodes name templates not saved yet (the demo's library). */
      allowMissingTemplates?: boolean;
    },
  ): Promise<Result<PublishOutcome & { changed: boolean }, readonly JourneyProblem[]>> {
    const { store, clock, engine, templates } = this.options;
    const stored = await store.getJourney(id);
    const source = options.definition ?? stored?.draft ?? stored?.published;
    const known =
      templates && !options.allowMissingTemplates
        ? new Set((await templates.listTemplates()).map((t) => t.id))
        : undefined;
    const checked = validateJourney(source, known ? { knownTemplates: known } : {});
    if (!checked.ok) return checked;
    if (checked.value.id !== id)
      return err([
        { code: 'schema', message: `the definition's id is ${checked.value.id}, not ${id}`, path: '$.id' },
      ]);
    if (
      options.onlyIfChanged &&
      stored?.published &&
      fingerprint(stored.published) === fingerprint(checked.value)
    )
      return ok({ version: stored.published.version, migrated: 0, stayed: 0, changed: false });
    const outcome = await store.publishJourney(checked.value, { migrate: options.migrate, now: clock() });
    engine.kick();
    return ok({ ...outcome, changed: true });
  }

  /** Starts a run through the inbox; with `wait`, answers once the engine has applied it. */
  async start(
    request: ApiStartRequest,
    target: StartTarget,
    wait: boolean,
  ): Promise<Result<StartOutcome, string>> {
    const { store, committer, engine, clock } = this.options;
    const person = await this.personOf(target);
    if (!person) return err('no such profile');
    const runId = apiRunId(request.journeyId, request.idempotencyKey);
    const existing = await store.getRun(runId);
    if (existing) return ok({ status: 'started', run: existing, duplicate: true });
    const message = apiStartMessage(request, person, clock());
    const appended = await committer.append([{ kind: 'message', message }]);
    if (!wait) return ok({ status: 'accepted', runId });
    if (appended.lastSeq > 0) {
      // Someone waits for this answer: start the pass now rather than after the engine's linger.
      engine.kick(true);
      await engine.waitFor(appended.lastSeq);
    }
    const run = await store.getRun(runId);
    if (run) return ok({ status: 'started', run, duplicate: appended.accepted === 0 });
    const reason = await store.refusalOf(runId);
    return ok(reason !== undefined ? { status: 'refused', runId, reason } : { status: 'accepted', runId });
  }

  private async personOf(target: StartTarget): Promise<InboxPerson | undefined> {
    if ('userId' in target) return { userId: target.userId };
    if ('anonymousId' in target) return { anonymousId: target.anonymousId };
    return personOfProfile(this.options.store, target.profileId as ProfileId);
  }

  /** The service's clock, for timestamps the routes write. */
  now(): EpochMs {
    return this.options.clock();
  }

  /** A journey's statistics from its counters: O(nodes), however many runs it has had. */
  async stats(journeyId: string): Promise<JourneyStats> {
    const { counters, waiting } = await this.options.store.journeyCounters(journeyId);
    const revenue = counters.find((c) => c.nodeId === '' && c.name === 'revenue')?.value ?? 0;
    return statsFromCounters(counters, waiting, revenue);
  }

  /** Deletes the inputs of runs that ended more than the retention period ago; returns how many. */
  async pruneInputs(): Promise<number> {
    const days = this.options.inputRetentionDays ?? 30;
    return this.options.store.pruneJourneyInputs(asEpochMs(this.options.clock() - days * MS_PER_DAY));
  }

  /** Replays the stored events of [from, to] through a journey definition (see `simulateWindow`). */
  async simulate(journey: Journey, window: { from: EpochMs; to: EpochMs }): Promise<SimulationReport> {
    const { store } = this.options;
    const byProfile = new Map<ProfileId, SimulatedPerson['events'][number][]>();
    await store.scanEventsBetween(window.from, window.to, (e) => {
      if (typeof e.message.event !== 'string') return;
      let list = byProfile.get(e.profileId);
      if (!list) byProfile.set(e.profileId, (list = []));
      list.push({
        at: e.timestamp,
        event: { event: e.message.event, properties: e.message.properties ?? {} },
      });
    });
    // Membership changes come after the stored events: put each person's history in time order.
    for (const list of byProfile.values()) list.sort((a, b) => a.at - b.at);
    const people: SimulatedPerson[] = [];
    const ids = [...byProfile.keys()];
    for (let i = 0; i < ids.length; i += 500) {
      const profiles = await store.loadProfiles(ids.slice(i, i + 500));
      for (const [id, profile] of profiles) people.push({ profile, events: byProfile.get(id) ?? [] });
    }
    return simulateWindow(journey, people, { ...window, policy: await this.policy() });
  }

  async policy(): Promise<SendPolicy> {
    return parseSendPolicy(await this.options.store.getSetting(SEND_POLICY_KEY));
  }

  /** Saves the send policy; engines pick it up with the next revision. */
  async setPolicy(policy: unknown): Promise<SendPolicy> {
    const parsed = sendPolicySchema.parse(policy);
    await this.options.store.setSetting(SEND_POLICY_KEY, JSON.stringify(parsed));
    await this.options.store.bumpJourneysRevision();
    this.options.engine.kick();
    return parsed;
  }
}
