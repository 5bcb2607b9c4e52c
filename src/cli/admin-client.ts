/** Where a CLI command finds a running server, from flags then environment. */
export interface AdminTarget {
  readonly url: string;
  readonly adminKey: string;
}

/** A JSON answer of the admin API. */
export interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Reads `--url` / `--admin-key`, else `ORKESTRA_PORT` / `ORKESTRA_ADMIN_KEY`. */
export function adminTargetFrom(
  flags: { url?: string; adminKey?: string },
  env: NodeJS.ProcessEnv,
): AdminTarget {
  const adminKey = flags.adminKey ?? env.ORKESTRA_ADMIN_KEY;
  if (!adminKey) throw new Error('the admin key is needed: --admin-key or ORKESTRA_ADMIN_KEY');
  return { url: (flags.url ?? `http://localhost:${env.ORKESTRA_PORT ?? 3000}`).replace(/\/$/, ''), adminKey };
}

/**
 * Calls the admin API with the Bearer admin key; answers with the status and parsed JSON.
 * @example await callAdmin(target, 'GET', '/api/journeys')
 */
export async function callAdmin(
  target: AdminTarget,
  method: string,
  path: string,
  body?: unknown,
): Promise<AdminAnswer> {
  const res = await fetch(`${target.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${target.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** The answer's body, or an error naming the status and the API's message. */
export function expectOk(answer: AdminAnswer, what: string): Record<string, unknown> {
  if (answer.status >= 200 && answer.status < 300) return answer.body as Record<string, unknown>;
  const error = (
    answer.body as { error?: { message?: string; issues?: { path: string; message: string }[] } }
  ).error;
  const issues = (error?.issues ?? []).map((i) => `\n  ${i.path}: ${i.message}`).join('');
  throw new Error(`${what}: HTTP ${answer.status} ${error?.message ?? JSON.stringify(answer.body)}${issues}`);
}

/** JSON with sorted keys, to compare definitions regardless of key order. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(sort)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.entries(v)
              .filter(([, x]) => x !== undefined)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([k, x]) => [k, sort(x)]),
          )
        : v;
  return JSON.stringify(sort(value));
}
