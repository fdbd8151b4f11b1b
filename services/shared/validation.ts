/**
 * Turns zod issues into the one-line messages users see at every edge (HTTP 207 bodies,
 * config errors, rule lint): `tool_call.name: Required`, `prompt.messages[0].role: ...`.
 */
import type { z } from 'zod';

/**
 * Issues (and unknown keys) spelled out in one message; the rest are counted. The message is
 * echoed to the sender and into the dead-letter topic: a body of a million bad items must
 * not answer with a million reasons (found by fuzzing: 2 MB in, 74 MB out).
 */
const MAX_SHOWN = 10;
/** Longest key shown in a path, for the same reason: an unknown key can be megabytes long. */
const MAX_KEY = 64;

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
    const shown = issue.keys.slice(0, MAX_SHOWN).map((key) => `${shownPath([...issue.path, key])}: unknown field`);
    const more = issue.keys.length - MAX_SHOWN;
    return more > 0 ? `${shown.join('; ')}; (and ${more} more unknown fields)` : shown.join('; ');
  }
  const where = shownPath(issue.path);
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
  const shown = error.issues.slice(0, MAX_SHOWN).map(formatIssue);
  const more = error.issues.length - MAX_SHOWN;
  return more > 0 ? `${shown.join('; ')}; (and ${more} more)` : shown.join('; ');
}

/** `formatPath` with over-long keys cut (`kkkk…(900000 chars)`). */
function shownPath(path: ReadonlyArray<PropertyKey>): string {
  return formatPath(path.map((p) => (typeof p === 'string' && p.length > MAX_KEY ? `${p.slice(0, MAX_KEY).toWellFormed()}…(${p.length} chars)` : p)));
}

function isMissing(input: unknown, key: string): boolean {
  return typeof input === 'object' && input !== null && (input as Record<string, unknown>)[key] === undefined;
}
