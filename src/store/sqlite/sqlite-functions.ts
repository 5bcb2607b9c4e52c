import type Database from 'better-sqlite3';
import type { Profile } from '../../core/profiles/profile.js';
import { bucketOf, isReachable, type ReachabilityInput } from '../../core/segments/evaluate.js';
import { daysSince, daysToAnniversary, toDateMs } from '../../core/segments/values.js';

const JSON_SCALARS = new Set(['integer', 'real', 'text']);

/**
 * The functions compiled segment SQL calls (see `core/segments/compile-sql.ts`): each is the very
 * function the in-memory evaluator uses, so both evaluators agree by construction on dates,
 * anniversaries, days since, buckets and reachability.
 */
export function registerSegmentFunctions(db: Database.Database): void {
  const opts = { deterministic: true, varargs: false } as const;
  db.function('ork_date_ms', opts, (type: unknown, value: unknown) =>
    typeof type === 'string' && JSON_SCALARS.has(type) ? (toDateMs(value) ?? null) : null,
  );
  db.function('ork_days_to_anniversary', opts, (type: unknown, value: unknown, now: unknown) =>
    typeof type === 'string' && JSON_SCALARS.has(type)
      ? (daysToAnniversary(value, Number(now)) ?? null)
      : null,
  );
  db.function('ork_days_since', opts, (type: unknown, value: unknown, now: unknown) =>
    type === 'integer' || type === 'real' ? (daysSince(value, Number(now)) ?? null) : null,
  );
  db.function('ork_bucket', opts, (id: unknown, salt: unknown) => bucketOf(String(id), String(salt)));
  // Arguments: a JSON object of the email and phone traits, the push tokens and the subscriptions (JSON
  // text or NULL), the channel and the topic; see compile-sql.ts.
  // A recompute asks several reachability questions of the same row in a row: the parsed input of the
  // last call is kept, so each profile's fields are parsed once.
  let last: { readonly args: readonly unknown[]; readonly input: ReachabilityInput } | undefined;
  db.function(
    'ork_reachable',
    opts,
    (traits: unknown, tokens: unknown, subscriptions: unknown, channel: unknown, topic: unknown) => {
      if (typeof traits !== 'string') return 0;
      if (last?.args[0] !== traits || last.args[1] !== tokens || last.args[2] !== subscriptions) {
        last = {
          args: [traits, tokens, subscriptions],
          input: reachabilityInput(traits, tokens, subscriptions),
        };
      }
      const ch = channel as 'email' | 'sms' | 'push';
      return isReachable(last.input, ch, typeof topic === 'string' ? topic : undefined) ? 1 : 0;
    },
  );
}

function reachabilityInput(traits: string, tokens: unknown, subscriptions: unknown): ReachabilityInput {
  return {
    traits: JSON.parse(traits) as Profile['traits'],
    pushTokens: typeof tokens === 'string' ? (JSON.parse(tokens) as Profile['pushTokens']) : [],
    ...(typeof subscriptions === 'string'
      ? { subscriptions: JSON.parse(subscriptions) as Profile['subscriptions'] }
      : {}),
  };
}
