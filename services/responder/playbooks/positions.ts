/**
 * Zod issues of playbook documents as messages at their places in the YAML, located with rule
 * lint's own `offsetOf`. Kept small: playbook documents have no condition unions to
 * re-explain, since load.ts picks the schema of each document's kind before parsing.
 */
import type { z } from 'zod';
import { offsetOf } from '../../shared/rules/load.js';
import { formatPath } from '../../shared/validation.js';

export type YamlPath = ReadonlyArray<string | number>;

export { offsetOf };

export interface Explained {
  path: Array<string | number>;
  message: string;
  /** Unknown fields and missing ones point at their key, bad values at the value. */
  point: 'key' | 'value';
}

/** One zod issue as messages at paths, worded like rule lint's (`steps[1].duration: Required`). */
export function explainIssue(issue: z.core.$ZodIssue, prefix: YamlPath = []): Explained[] {
  const path = [...prefix, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: `${formatPath([...path, key])}: unknown field`, point: 'key' as const }));
  }
  if (issue.code === 'invalid_key') {
    const reason = issue.issues.map((i) => i.message).join('; ') || issue.message;
    return [{ path, message: `${formatPath(path)}: ${reason}`, point: 'key' }];
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue && 'options' in issue) {
    // A step with a missing or unknown `type` (or a provider's): name the choices.
    // zod's path already ends with the discriminator key.
    const options = (issue.options as unknown[]).map(String).join(', ');
    const missing = 'input' in issue && (issue.input as Record<string, unknown> | undefined)?.[String(issue.discriminator)] === undefined;
    const message = `${formatPath(path)}: ${missing ? `Required (one of ${options})` : `must be one of ${options}`}`;
    return [{ path, message, point: missing ? 'key' : 'value' }];
  }
  let message = issue.message;
  const missing = 'input' in issue && issue.input === undefined;
  if ((issue.code === 'invalid_type' || issue.code === 'invalid_union') && missing) message = 'Required';
  const where = formatPath(path);
  return [{ path, message: where ? `${where}: ${message}` : message, point: message === 'Required' ? 'key' : 'value' }];
}
