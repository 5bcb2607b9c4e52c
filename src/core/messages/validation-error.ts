import type { z } from 'zod';

/** One problem with an input: where it is (a JSON path such as `$.batch[3].userId`) and which rule it breaks. */
export interface FieldIssue {
  readonly path: string;
  readonly rule: string;
  readonly message: string;
}

/** Renders a path as JSONPath: `['batch', 3, 'userId']` → `$.batch[3].userId`. */
export function toJsonPath(path: readonly PropertyKey[], prefix = '$'): string {
  let out = prefix;
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

/** Maps zod's issue codes to the rule names our API documents. */
function ruleOf(issue: z.core.$ZodIssue, value: unknown): string {
  if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union'))
    return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `type:${issue.expected}`;
    case 'too_big':
      return `max:${String(issue.maximum)}`;
    case 'too_small':
      return `min:${String(issue.minimum)}`;
    case 'invalid_format':
      return `format:${issue.format}`;
    case 'invalid_value':
      return 'enum';
    case 'invalid_union':
      return 'type';
    case 'custom':
      return typeof issue.params?.rule === 'string' ? issue.params.rule : 'custom';
    default:
      return issue.code;
  }
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Flattens a zod error into field issues, paths relative to `prefix`; `input` tells missing from wrong. */
export function issuesFromZod(error: z.ZodError, prefix = '$', input?: unknown): FieldIssue[] {
  return error.issues.map((issue) => {
    const value = valueAt(input, issue.path);
    let message = issue.message;
    if (issue.code === 'invalid_union' && issue.path.length === 0 && 'discriminator' in issue) {
      message = `type must be one of track, identify, page, screen, group, alias`;
    }
    if (value === undefined && (issue.code === 'invalid_type' || issue.code === 'invalid_union')) {
      message = 'required';
    }
    return { path: toJsonPath(issue.path, prefix), rule: ruleOf(issue, value), message };
  });
}
