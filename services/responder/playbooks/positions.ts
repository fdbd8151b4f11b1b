/**
 * Where a value of a YAML document stands, and zod issues as messages at those places. The same
 * mapping services/shared/rules/load.ts uses for rule files (that file does not export its
 * helpers; see the responder notes), kept small: playbook documents have no condition unions
 * to re-explain, since load.ts picks the schema of each document's kind before parsing.
 */
import { isMap, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../../shared/validation.js';

export type YamlPath = ReadonlyArray<string | number>;

/** The byte offset of the node at `path` (or of its closest existing ancestor): its key, or its value. */
export function offsetOf(document: Document.Parsed, path: YamlPath, point: 'key' | 'value'): number {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const wantKey = point === 'key' || n < path.length;
    const parent = n > 0 ? document.getIn(sub.slice(0, -1), true) : undefined;
    if (wantKey && n > 0 && typeof sub[n - 1] === 'string' && isMap(parent)) {
      // Point at the key, where a reader looks for "that field".
      const pair = parent.items.find((p) => isScalar(p.key) && String(p.key.value) === sub[n - 1]);
      const key = pair?.key as Node | null | undefined;
      if (key?.range) return key.range[0];
    }
    const node = (n === 0 ? document.contents : document.getIn(sub, true)) as Node | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
}

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
