/**
 * fast-check generators of damaged input, for the fuzz tests: JSON values with one field
 * broken at any depth (wrong type, null, huge string, deleted, extra key), and text broken
 * line by line (deleted, duplicated, swapped, re-indented, truncated, junk inserted).
 * Each mutation says what it did, so a failing case prints a readable counterexample.
 */
import fc from 'fast-check';

export type JsonPath = Array<string | number>;

export interface JsonMutation {
  op: 'replace' | 'delete' | 'add_key';
  path: JsonPath;
  /** The new value (replace) or the added key's value (add_key). */
  value?: unknown;
  /** add_key: the key added to the object at `path`. */
  key?: string;
}

/** Values of the wrong type for almost any field, and the nasty ones for strings. */
export function wrongValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.constantFrom(-1, 0.5, 1e21, -0, Number.MAX_SAFE_INTEGER + 2),
    fc.string({ maxLength: 8 }),
    fc.constantFrom('', ' ', '\u0000', '\ud800', 'x'.repeat(70_000), '1970-13-45T99:99:99Z'),
    fc.constant([]),
    fc.constant({}),
    fc.array(fc.integer(), { minLength: 1, maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { minKeys: 1, maxKeys: 2 }),
  );
}

/** Keys worth adding: typos of real fields, prototype names, and anything else. */
export function extraKey(): fc.Arbitrary<string> {
  return fc.oneof(fc.constantFrom('agentId', 'toolCall', 'Kind', '__proto__', 'constructor', 'prototype', '', 'k'.repeat(300)), fc.string({ maxLength: 10 }));
}

/** Every path to a value inside `value` (the root excluded), depth first. */
export function pathsOf(value: unknown, prefix: JsonPath = []): JsonPath[] {
  if (value === null || typeof value !== 'object') return [];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

/** Paths to the objects inside `value`, the root included (where a key can be added). */
export function objectPathsOf(value: unknown): JsonPath[] {
  const isObject = (v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v);
  return [[], ...pathsOf(value)].filter((p) => isObject(get(value, p)));
}

export function get(value: unknown, path: JsonPath): unknown {
  let v = value;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

/** A copy of `value` with the mutation applied; keys such as `__proto__` become real own keys. */
export function applyMutation(value: unknown, m: JsonMutation): unknown {
  const copy = structuredClone(value);
  const parent = get(copy, m.op === 'add_key' ? m.path : m.path.slice(0, -1)) as Record<string | number, unknown>;
  const last = m.path.at(-1)!;
  if (m.op === 'add_key') define(parent, m.key!, m.value);
  else if (m.op === 'delete' && Array.isArray(parent)) parent.splice(last as number, 1);
  else if (m.op === 'delete') delete parent[last];
  else define(parent, last, m.value);
  return copy;
}

function define(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** `a.b[0].c`, as the collector names fields. */
export function formatJsonPath(path: JsonPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** `base` values with one mutation each, anywhere in them. */
export function mutatedJson<T>(base: fc.Arbitrary<T>): fc.Arbitrary<{ original: T; mutation: JsonMutation; value: unknown }> {
  return fc
    .tuple(base, fc.nat(), fc.constantFrom('replace', 'delete', 'add_key') as fc.Arbitrary<JsonMutation['op']>, wrongValue(), extraKey())
    .map(([original, pick, op, value, key]) => {
      const paths = op === 'add_key' ? objectPathsOf(original) : pathsOf(original);
      const path = paths[pick % paths.length] ?? [];
      const mutation: JsonMutation = op === 'add_key' ? { op, path, key, value } : op === 'delete' ? { op, path } : { op, path, value };
      return { original, mutation, value: applyMutation(original, mutation) };
    });
}

/** One way to damage a text, line by line. */
export type TextMutation =
  | { op: 'delete'; line: number }
  | { op: 'duplicate'; line: number }
  | { op: 'swap'; line: number; other: number }
  | { op: 'indent'; line: number; by: number }
  | { op: 'insert'; line: number; text: string }
  | { op: 'replace'; line: number; text: string }
  /** The value of a `key: value` line replaced (the whole line when it has none). */
  | { op: 'revalue'; line: number; text: string }
  | { op: 'truncate'; at: number };

/** Applies mutations in order; line numbers wrap around the text's current line count. */
export function mutateText(text: string, mutations: readonly TextMutation[]): string {
  let out = text;
  for (const m of mutations) {
    if (m.op === 'truncate') {
      out = out.slice(0, m.at % (out.length + 1));
      continue;
    }
    const lines = out.split('\n');
    const i = m.line % lines.length;
    switch (m.op) {
      case 'delete':
        lines.splice(i, 1);
        break;
      case 'duplicate':
        lines.splice(i, 0, lines[i]!);
        break;
      case 'swap': {
        const j = m.other % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        break;
      }
      case 'indent':
        lines[i] = m.by >= 0 ? ' '.repeat(m.by) + lines[i] : lines[i]!.slice(Math.min(-m.by, lines[i]!.length - lines[i]!.trimStart().length));
        break;
      case 'insert':
        lines.splice(i, 0, m.text);
        break;
      case 'replace':
        lines[i] = m.text;
        break;
      case 'revalue': {
        const colon = lines[i]!.indexOf(': ');
        lines[i] = colon < 0 ? m.text : `${lines[i]!.slice(0, colon + 2)}${m.text}`;
        break;
      }
    }
    out = lines.join('\n');
  }
  return out;
}

/** Line-level damage, with `junk` for inserted and replaced lines and `value` for replaced values. */
export function textMutation(junk: fc.Arbitrary<string>, value: fc.Arbitrary<string> = junk): fc.Arbitrary<TextMutation> {
  const line = fc.nat(10_000);
  return fc.oneof(
    fc.record({ op: fc.constant('revalue' as const), line, text: value }),
    fc.record({ op: fc.constant('delete' as const), line }),
    fc.record({ op: fc.constant('duplicate' as const), line }),
    fc.record({ op: fc.constant('swap' as const), line, other: line }),
    fc.record({ op: fc.constant('indent' as const), line, by: fc.integer({ min: -4, max: 6 }) }),
    fc.record({ op: fc.constant('insert' as const), line, text: junk }),
    fc.record({ op: fc.constant('replace' as const), line, text: junk }),
    fc.record({ op: fc.constant('truncate' as const), at: fc.nat(100_000) }),
  );
}

/** `n` fuzz runs, times RUNWATCH_FUZZ_SCALE (e.g. 10 for a long local run; the default keeps `npm test` quick). */
export function fuzzRuns(n: number): number {
  return Math.max(1, Math.round(n * Number(process.env.RUNWATCH_FUZZ_SCALE ?? 1)));
}
