import type { EpochMs } from '../brand.js';
import type { Profile } from '../profiles/profile.js';
import type { Journey } from './definition.js';
import type { RecentSend } from './frequency-caps.js';
import { createRun, type JourneyEvent, type RunEffect, type RunInput, type RunState } from './run-state.js';
import type { SendPolicy } from './send-step.js';
import { stepRun } from './step-machine.js';

/** An effect and the virtual time it happened at. */
export interface TimedEffect {
  readonly at: EpochMs;
  readonly effect: RunEffect;
}

/** A run to play on a virtual clock. */
export interface Simulation {
  readonly journey: Journey;
  readonly profile: Profile;
  readonly policy: SendPolicy;
  readonly runId: string;
  readonly startAt: EpochMs;
  readonly trigger?: JourneyEvent;
  readonly runKey?: string;
  /** Inputs at given times (events, segment changes), in time order. */
  readonly script?: readonly { readonly at: EpochMs; readonly input: RunInput }[];
  /** The JSON a webhook answers with; the default answers `{}` at once. */
  readonly respond?: (url: string) => unknown;
  /** Sends of other journeys the caps must count. */
  readonly recentSends?: readonly RecentSend[];
}

/**
 * Plays one run on a virtual clock with the production step machine: timers fire exactly when due,
 * scripted inputs arrive at their times, webhooks answer at once. Stops when the run ends and nothing
 * is scripted after, or after 1,000 inputs. Sends nothing: planned sends are returned as effects.
 * @example simulateRun({ journey, profile, policy, runId: 'sim_1', startAt, trigger }).effects
 */
export function simulateRun(sim: Simulation): {
  readonly run: RunState;
  readonly effects: readonly TimedEffect[];
} {
  let run = createRun(sim.journey, {
    runId: sim.runId,
    profileId: sim.profile.id,
    now: sim.startAt,
    ...(sim.runKey !== undefined ? { runKey: sim.runKey } : {}),
  });
  const effects: TimedEffect[] = [];
  const sends: RecentSend[] = [...(sim.recentSends ?? [])];
  const script = [...(sim.script ?? [])];
  const queue: { at: EpochMs; input: RunInput }[] = [
    { at: sim.startAt, input: { kind: 'start', ...(sim.trigger ? { event: sim.trigger } : {}) } },
  ];
  for (let steps = 0; steps < 1000; steps++) {
    const timer = run.status === 'active' ? run.wait : undefined;
    const next = [
      queue[0],
      script[0],
      timer && { at: timer.until, input: { kind: 'timer', token: timer.token } as const },
    ]
      .filter((x): x is { at: EpochMs; input: RunInput } => x !== undefined)
      .sort((a, b) => a.at - b.at)[0];
    if (!next) break;
    if (next === queue[0]) queue.shift();
    else if (next === script[0]) script.shift();
    const result = stepRun(run, next.input, {
      journey: sim.journey,
      profile: sim.profile,
      now: next.at,
      policy: sim.policy,
      recentSends: sends,
    });
    run = result.run;
    for (const effect of result.effects) {
      effects.push({ at: next.at, effect });
      if (effect.type === 'plan_send')
        sends.push({ at: next.at, channel: effect.channel, category: effect.category });
      if (effect.type === 'call_webhook' && effect.token !== undefined) {
        queue.push({
          at: next.at,
          input: { kind: 'webhook_response', token: effect.token, body: sim.respond?.(effect.url) ?? {} },
        });
      }
    }
  }
  return { run, effects };
}
