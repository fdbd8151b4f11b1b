/**
 * Turns zod issues into the one-line messages users see at every edge (HTTP 207 bodies,
 * config errors, rule lint): `tool_call.name: Required`, `prompt.messages[0].role: ...`.
 */
import type { z } from 'zod';

/** `['prompt','messages',0,'role']` → `prompt.messages[0].role`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** One issue as `path: reason`. Parse with `{ reportInput: true }` so a missing field reads "Required". */
export function formatIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys
      .map((key) => `${formatPath([...issue.path, key])}: unknown field`)
      .join('; ');
  }
  const where = formatPath(issue.path);
  let reason = issue.message;
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) reason = 'Required';
  else if (issue.code === 'invalid_union' && 'discriminator' in issue && 'options' in issue) {
    const options = (issue.options as unknown[]).map(String).join(', ');
    reason = 'input' in issue && isMissing(issue.input, String(issue.discriminator))
      ? `Required (one of ${options})`
      : `must be one of ${options}`;
  }
  return where ? `${where}: ${reason}` : reason;
}

/** All issues of a failed parse, most specific first, joined into one line. */
export function formatIssues(error: z.ZodError): string {
  return error.issues.map(formatIssue).join('; ');
}

function isMissing(input: unknown, key: string): boolean {
  return typeof input === 'object' && input !== null && (input as Record<string, unknown>)[key] === undefined;
}
