import { z } from 'zod';
import { propertyFilterSchema } from '../segments/definition.js';
import { journeyNodeSchema, nodeIdSchema } from './nodes.js';
import { triggerSchema } from './triggers.js';

/**
 * The journey language, version 1: a versioned JSON graph (trigger, nodes, edges, goal, exit rules,
 * re-entry rule, run key, settings). These schemas are the types and the API's contract; a parsed
 * journey is frozen. `validateJourney` checks what a schema cannot (the graph) before publishing.
 */
export const JOURNEY_LANGUAGE_VERSION = 1;

const filters = z.array(propertyFilterSchema).max(20).readonly();

/** A directed edge: leaving `from` by its branch `branch` goes to `to`. */
export const edgeSchema = z
  .object({ from: nodeIdSchema, to: nodeIdSchema, branch: nodeIdSchema.default('next') })
  .readonly();
export type JourneyEdge = z.infer<typeof edgeSchema>;

/** The conversion a journey works towards: an event within N days of entry, recorded once per run. */
export const goalSchema = z
  .object({
    event: z.string().min(1).max(200).default('Order Completed'),
    where: filters.optional(),
    withinDays: z.number().int().min(1).max(365).default(7),
    /** Count only events carrying this run's key (the same cart). */
    matchRunKey: z.boolean().default(false),
    /** The numeric event property holding the revenue (Segment's `revenue`, else `total`, else `value`). */
    revenueProperty: z.string().min(1).max(200).optional(),
    endRun: z.boolean().default(false),
  })
  .readonly();
export type JourneyGoal = z.infer<typeof goalSchema>;

/** What ends runs wherever they are. */
export const exitRuleSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('event'),
      event: z.string().min(1).max(200),
      where: filters.optional(),
      matchRunKey: z.boolean().default(false),
    })
    .readonly(),
  /** The person enters (`member: true`) or leaves (`member: false`) a segment. */
  z
    .object({ kind: z.literal('segment'), segmentId: z.string().min(1).max(200), member: z.boolean() })
    .readonly(),
]);
export type ExitRule = z.infer<typeof exitRuleSchema>;

/** Whether a person may start another run (per run key, when the journey is keyed). */
export const reEntrySchema = z
  .object({
    mode: z.enum(['never', 'after_previous_ends', 'after_days']).default('after_previous_ends'),
    days: z.number().int().min(1).max(3650).optional(),
    maxConcurrent: z.number().int().min(1).max(100).default(1),
  })
  .readonly()
  .refine((r) => r.mode !== 'after_days' || r.days !== undefined, {
    message: 'after_days needs days',
    path: ['days'],
  });
export type ReEntry = z.infer<typeof reEntrySchema>;

export const settingsSchema = z
  .object({
    /** 1 (lowest) to 10; the engine serves higher-priority journeys first when sends compete for a cap. */
    priority: z.number().int().min(1).max(10).default(5),
    /** The time zone for recipients whose own is unknown. */
    defaultTimeZone: z.string().min(1).max(100).default('UTC'),
  })
  .readonly();

/** One version of a journey. */
export const journeySchema = z
  .object({
    languageVersion: z.literal(JOURNEY_LANGUAGE_VERSION).default(JOURNEY_LANGUAGE_VERSION),
    id: z
      .string()
      .min(1)
      .max(100)
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, - and _'),
    version: z.number().int().min(1).default(1),
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    trigger: triggerSchema,
    /** One run per entity: the trigger property whose value keys the run (`cartId`, `orderId`). */
    runKey: z
      .object({ property: z.string().min(1).max(200) })
      .readonly()
      .optional(),
    nodes: z.array(journeyNodeSchema).min(1).max(500).readonly(),
    edges: z.array(edgeSchema).max(2000).readonly(),
    goal: goalSchema.optional(),
    exitRules: z.array(exitRuleSchema).max(20).readonly().default([]),
    reEntry: reEntrySchema.default({ mode: 'after_previous_ends', maxConcurrent: 1 }),
    settings: settingsSchema.default({ priority: 5, defaultTimeZone: 'UTC' }),
  })
  .readonly();
/** A parsed journey version (defaults filled in). */
export type Journey = z.infer<typeof journeySchema>;
/** A journey as written in JSON (defaults may be left out). */
export type JourneyInput = z.input<typeof journeySchema>;

export type { JourneyNode, NodeOf, NodeType, DelaySpec, NodeTest } from './nodes.js';
export type { Trigger, Schedule } from './triggers.js';
export { branchesOf, isWaitingNode } from './nodes.js';
