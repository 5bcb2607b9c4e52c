import type { EpochMs, ProfileId } from '../core/brand.js';
import type { Profile } from '../core/profiles/profile.js';
import type { ResolvedEvent } from '../core/profiles/resolve-batch.js';
import { err, ok, type Result } from '../core/result.js';
import {
  addEvent,
  eventMatches,
  matchersOf,
  type AggregateState,
  type Matcher,
} from '../core/segments/aggregates.js';
import { applySegmentsToBatch } from '../core/segments/apply-to-batch.js';
import type { Condition, SegmentDefinition } from '../core/segments/definition.js';
import { diffMembers, type MembershipChange } from '../core/segments/memberships.js';
import { membershipEvent, prepareSegments } from '../core/segments/segment-step.js';
import type { MembershipChangeRecord, StoredSegment } from '../store/store.js';
import type { PopulationJobOptions, Progress, ReportProgress } from './job-board.js';

export type SegmentServiceOptions = PopulationJobOptions;
export type { Progress };

export interface RecomputeResult {
  readonly segmentId: string;
  readonly members: number;
  readonly entered: number;
  readonly exited: number;
  /** Time of this segment's own work: its query (alone) or applying its answer (in a full recompute). */
  readonly ms: number;
  /** In a full recompute, the time of the evaluation all segments shared. */
  readonly sharedMs?: number;
}

const CHUNK = 2000;
/** How often a waiting change feed looks again when the engine has committed nothing new. */
const CHANGES_POLL_MS = 250;

/** True when time alone can change the answer, so every profile needs a re-evaluation timer. */
function isTimeDependent(c: Condition): boolean {
  switch (c.type) {
    case 'and':
    case 'or':
      return c.conditions.some(isTimeDependent);
    case 'not':
      return isTimeDependent(c.condition);
    case 'event':
      return c.window.kind === 'last';
    case 'event_time':
      return true;
    case 'trait':
    case 'computed':
      if (c.type === 'computed' && c.trait === 'daysSinceLastOrder') return true;
      return c.op === 'within_last_days' || c.op === 'within_next_days' || c.op === 'anniversary_within_days';
    default:
      return false;
  }
}

/**
 * Segment lifecycle: save (validate references, store a new version, backfill), delete, preview, and
 * recompute (the periodic reconciliation). All population-wide work runs in the engine's exclusive
 * lane, so real-time processing and backfills never interleave on a profile.
 */
export class SegmentService {
  private commitWaiter: { readonly seq: number; readonly done: Promise<void> } | undefined;

  constructor(private readonly options: SegmentServiceOptions) {}

  /** The running job's report, while one runs (jobs run one at a time, in the engine's exclusive lane). */
  private report: { readonly job: string; readonly to: ReportProgress } | undefined;

  private progress(p: Progress): void {
    this.options.onProgress?.(p);
    // In a recompute of every segment, each step names the segment it is at.
    const phase = this.report?.job === `segment:${p.job}` ? p.phase : `${p.job}: ${p.phase}`;
    this.report?.to(phase, p.done, p.total);
  }

  /** Runs `work` as a listed job (see `JobBoard`); call it inside the exclusive lane. */
  private job<T>(name: string, work: () => Promise<T>): Promise<T> {
    const jobs = this.options.jobs;
    if (!jobs) return work();
    return jobs.run(name, async (report) => {
      this.report = { job: name, to: report };
      try {
        return await work();
      } finally {
        this.report = undefined;
      }
    });
  }

  /** Saves and backfills. Refuses a definition that would leave references unknown or cyclic. */
  async save(
    definition: SegmentDefinition,
  ): Promise<Result<{ segment: StoredSegment; backfill: RecomputeResult }, string>> {
    const { store, engine, clock } = this.options;
    const others = (await store.listSegments()).filter((s) => s.definition.id !== definition.id);
    const prepared = prepareSegments([...others.map((s) => s.definition), definition]);
    if (!prepared.ok) return err(prepared.error);
    const before = new Set(engine.segments.matchers.map((m) => m.key));
    const segment = await store.saveSegment(definition, clock());
    await engine.reloadSegments();
    const fresh = [...matchersOf(definition.condition).values()].filter((m) => !before.has(m.key));
    const backfill = await engine.exclusive(() =>
      this.job(`segment:${definition.id}`, async () => {
        if (fresh.length > 0) await this.rebuildAggregates(definition.id, fresh);
        const result = await this.recomputeOne(definition);
        if (isTimeDependent(definition.condition)) await this.reevaluateAll(definition.id);
        return result;
      }),
    );
    return ok({ segment, backfill });
  }

  async delete(id: string): Promise<Result<boolean, string>> {
    const { store, engine } = this.options;
    const all = await store.listSegments();
    const users = all.filter(
      (s) => s.definition.id !== id && JSON.stringify(s.definition.condition).includes(`"segmentId":"${id}"`),
    );
    if (users.length > 0)
      return err(`segment ${id} is used by ${users.map((u) => u.definition.id).join(', ')}`);
    const deleted = await engine.exclusive(() => store.deleteSegment(id));
    await engine.reloadSegments();
    return ok(deleted);
  }

  /** Members a condition would have now, without saving anything. */
  async preview(condition: Condition): Promise<ProfileId[]> {
    return this.options.store.querySegment(condition, this.options.clock());
  }

  /**
   * The membership changes after `after` (a change feed), waiting up to `waitMs` for the first one to
   * be committed when there is none yet (a long poll). Changes are looked for again after every engine
   * commit, and every `CHANGES_POLL_MS` for those a timer or a job made without new input.
   * @example const { items } = await service.changesAfter({ after: 0, limit: 100, waitMs: 5000 });
   */
  async changesAfter(query: {
    readonly after: number;
    readonly limit: number;
    readonly waitMs: number;
  }): Promise<MembershipChangeRecord[]> {
    const deadline = performance.now() + query.waitMs;
    for (;;) {
      const items = await this.options.store.membershipChanges(query);
      const left = deadline - performance.now();
      if (items.length > 0 || left <= 0) return items;
      let timer: NodeJS.Timeout | undefined;
      const tick = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.min(left, CHANGES_POLL_MS));
      });
      await Promise.race([this.nextCommit(), tick]);
      clearTimeout(timer);
    }
  }

  /** Resolves after the engine's next commit; one waiter shared by every long poll. */
  private nextCommit(): Promise<void> {
    const seq = this.options.engine.lastProcessedSeq + 1;
    if (this.commitWaiter?.seq !== seq) this.commitWaiter = { seq, done: this.options.engine.waitFor(seq) };
    return this.commitWaiter.done;
  }

  /**
   * Reconciles every segment (or one) with the database's answer; returns what changed. All segments
   * are evaluated together, in shared passes over the data, then applied in dependency order; the
   * engine waits meanwhile, so no real-time change lands between an answer and its application.
   */
  async recompute(id?: string): Promise<RecomputeResult[]> {
    const { store, engine, clock } = this.options;
    const stored = await store.listSegments();
    const prepared = prepareSegments(stored.map((s) => s.definition));
    if (!prepared.ok) throw new Error(prepared.error);
    const { definitions } = prepared.value;
    if (id !== undefined) {
      const target = definitions.find((d) => d.id === id);
      return target
        ? [await engine.exclusive(() => this.job(`segment:${target.id}`, () => this.recomputeOne(target)))]
        : [];
    }
    return engine.exclusive(() =>
      this.job('segments:recompute', async () => {
        const started = performance.now();
        const now = clock();
        const answers = await store.querySegments(definitions, now);
        const sharedMs = Math.round(performance.now() - started);
        const results: RecomputeResult[] = [];
        for (const d of definitions) {
          const result = await this.applyAnswer(d, answers.get(d.id) ?? [], now);
          results.push({ ...result, sharedMs });
        }
        return results;
      }),
    );
  }

  /** One grouped pass over the history of the new matchers' events, folded per profile. */
  private async rebuildAggregates(job: string, matchers: readonly Matcher[]): Promise<void> {
    const { store, clock } = this.options;
    const now = clock();
    const states = new Map<ProfileId, Record<string, AggregateState>>();
    let scanned = 0;
    await store.scanEvents([...new Set(matchers.map((m) => m.event))], (e) => {
      let forProfile = states.get(e.profileId);
      for (const m of matchers) {
        if (!eventMatches(m, e.message, e.timestamp)) continue;
        if (!forProfile) states.set(e.profileId, (forProfile = {}));
        forProfile[m.key] = addEvent(forProfile[m.key], m, e, now);
      }
      if (++scanned % 100_000 === 0) this.progress({ job, phase: 'scanning events', done: scanned });
    });
    const ids = [...states.keys()];
    for (let i = 0; i < ids.length; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK);
      const profiles = await store.loadProfiles(chunk);
      const updated = [...profiles.values()].map((p): Profile => ({
        ...p,
        aggregates: { ...p.aggregates, ...states.get(p.id) },
      }));
      await store.commitBatch({ merges: [], identities: new Map(), events: [], profiles: updated });
      this.progress({
        job,
        phase: 'saving per-condition state',
        done: Math.min(i + CHUNK, ids.length),
        total: ids.length,
      });
    }
  }

  /** The SQL answer for one segment, applied as entries and exits (with their events). */
  private async recomputeOne(definition: SegmentDefinition): Promise<RecomputeResult> {
    const { store, clock } = this.options;
    const started = performance.now();
    const now = clock();
    this.progress({ job: definition.id, phase: 'querying members', done: 0 });
    const result = await this.applyAnswer(
      definition,
      await store.querySegment(definition.condition, now),
      now,
    );
    return { ...result, ms: Math.round(performance.now() - started) };
  }

  /** Applies a segment's answer at `now`: entries and exits against its stored members, with their events. */
  private async applyAnswer(
    definition: SegmentDefinition,
    answer: readonly ProfileId[],
    now: EpochMs,
  ): Promise<RecomputeResult> {
    const { store } = this.options;
    const started = performance.now();
    const { size, entering, leaving } = diffMembers(answer, await store.memberIds(definition.id));
    const changed = [
      ...entering.map((id) => [id, true] as const),
      ...leaving.map((id) => [id, false] as const),
    ];
    for (let i = 0; i < changed.length; i += CHUNK) {
      const chunk = changed.slice(i, i + CHUNK);
      const profiles = await store.loadProfiles(chunk.map(([id]) => id));
      const memberships: MembershipChange[] = [];
      const events: ResolvedEvent[] = [];
      const updated: Profile[] = [];
      for (const [id, entered] of chunk) {
        const p = profiles.get(id);
        if (!p) continue;
        const segments = { ...p.segments };
        if (entered) segments[definition.id] = now;
        else delete segments[definition.id];
        updated.push({ ...p, segments });
        const change = { segmentId: definition.id, profileId: id, entered, at: now };
        memberships.push(change);
        events.push({
          seq: 0,
          profileId: id,
          message: membershipEvent(change, definition.name, p.userIds[0]),
          timestamp: now,
        });
      }
      await store.commitBatch({ merges: [], identities: new Map(), events, profiles: updated, memberships });
      this.progress({
        job: definition.id,
        phase: 'applying memberships',
        done: i + chunk.length,
        total: changed.length,
      });
    }
    return {
      segmentId: definition.id,
      members: size,
      entered: entering.length,
      exited: leaving.length,
      ms: Math.round(performance.now() - started),
    };
  }

  /** Evaluates every profile in memory to set its re-evaluation timer (time-dependent segments). */
  private async reevaluateAll(job: string): Promise<void> {
    const { store, clock, engine } = this.options;
    let cursor = '';
    let done = 0;
    for (;;) {
      const ids = await store.profileIdsAfter(cursor, CHUNK);
      if (ids.length === 0) break;
      const profiles = await store.loadProfiles(ids);
      const write = applySegmentsToBatch(
        { merges: [], identities: new Map(), events: [], profiles: [...profiles.values()] },
        engine.segments,
        clock(),
      );
      await store.commitBatch(write);
      cursor = ids[ids.length - 1]!;
      done += ids.length;
      this.progress({ job, phase: 'setting timers', done });
    }
  }
}
