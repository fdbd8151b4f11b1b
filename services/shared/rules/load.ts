/**
 * Reads a rule pack: every *.yaml / *.yml file of a folder (not its playbooks/ subfolder),
 * each holding one or more `---`-separated documents. Every mistake becomes a Problem with
 * file, line and column; a pack with problems is never half-loaded by the caller.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { isMap, isScalar, parseAllDocuments, visit, type Alias, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { formatPath } from '../validation.js';
import { AllCondition, AnyCondition, DetectCondition, FieldCondition, MacroCondition, NotCondition, RuleFileDoc, type RuleFileDoc as RuleFileDocType } from './schema.js';

export interface Problem {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Where a document or one of its values stands, for problems found after parsing. */
export interface SourceRef {
  file: string;
  line: number;
  col: number;
  /**
   * Finds the position of a path inside this document (e.g. ['match', 'all', 0, 'field']):
   * its key (where a reader looks for "that field"), or its value (where a bad value stands).
   */
  at(path: ReadonlyArray<string | number>, point?: 'key' | 'value'): { line: number; col: number };
}

export interface LoadedDoc {
  doc: RuleFileDocType;
  source: SourceRef;
}

export interface LoadResult {
  docs: LoadedDoc[];
  problems: Problem[];
  files: string[];
}

/** Rule files of a folder, sorted; `playbooks/` (response playbooks) and dot-folders are skipped. */
export function ruleFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'playbooks' && !name.startsWith('.')) out.push(...ruleFiles(path));
    } else if (/\.ya?ml$/.test(name)) out.push(path);
  }
  return out;
}

export function loadRuleDir(dir: string): LoadResult {
  const files = ruleFiles(dir);
  const result: LoadResult = { docs: [], problems: [], files };
  for (const file of files) {
    const one = loadRuleText(readFileSync(file, 'utf8'), relative(process.cwd(), file) || file);
    result.docs.push(...one.docs);
    result.problems.push(...one.problems);
  }
  return result;
}

/** Parses one file's text; `file` is only used to name positions. */
export function loadRuleText(text: string, file: string): LoadResult {
  const pos = linePositions(text);
  const result: LoadResult = { docs: [], problems: [], files: [file] };
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { prettyErrors: false }) as Document.Parsed[];
  } catch (err) {
    result.problems.push({ file, line: 1, col: 1, severity: 'error', message: `not YAML: ${(err as Error).message}` });
    return result;
  }
  if (!Array.isArray(documents)) documents = [];
  for (const document of documents) {
    const syntax = document.errors[0];
    if (syntax) {
      // The first syntax error only: the ones after it are usually its echoes.
      const { line, col } = pos(syntax.pos[0]);
      result.problems.push({ file, line, col, severity: 'error', message: `YAML: ${syntax.message.split('\n')[0]!}` });
      continue;
    }
    if (document.contents === null) continue; // an empty document, e.g. a trailing `---`
    const at = (path: ReadonlyArray<string | number>, point: 'key' | 'value' = 'key') => pos(offsetOf(document, path, point));
    const start = at([]);
    const source: SourceRef = { file, line: start.line, col: start.col, at };
    const value = documentValue(document);
    if ('error' in value) {
      result.problems.push({ file, ...pos(value.offset), severity: 'error', message: value.error });
      continue;
    }
    const raw = value.value;
    const parsed = RuleFileDoc.safeParse(raw, { reportInput: true });
    if (parsed.success) {
      result.docs.push({ doc: parsed.data, source });
      continue;
    }
    for (const issue of parsed.error.issues) {
      for (const { path, message, point } of explain(issue, raw)) {
        const p = at(path, point);
        result.problems.push({ file, line: p.line, col: p.col, severity: 'error', message });
      }
    }
  }
  return result;
}

/**
 * Offset in `text` → 1-based line and column, from the text's own line breaks. Not the yaml
 * package's LineCounter: it misses the line breaks inside a scalar it recovers from an error
 * in (`  a: 1\nb: 2\n  c: 3` has no line 3 for it), which put every later problem of the file
 * on the wrong line, or past the end of one (found by fuzzing).
 */
export function linePositions(text: string): (offset: number) => { line: number; col: number } {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return (offset) => {
    const at = Math.min(Math.max(0, offset), text.length);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, col: at - starts[lo]! + 1 };
  };
}

/**
 * A document as plain JS, or why it cannot be one, at the alias to blame. The yaml package
 * throws a ReferenceError for an alias bomb (over 100 alias expansions) and for an alias
 * without an anchor before it (`<<: *nope`); uncaught, `rules lint` and a starting worker or
 * responder crashed on either instead of pointing at it (found by fuzzing).
 */
export function documentValue(document: Document.Parsed): { value: unknown } | { error: string; offset: number } {
  try {
    return { value: document.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (err) {
    let first: Alias | undefined;
    let unresolved: Alias | undefined;
    visit(document, {
      Alias(_key, node) {
        first ??= node;
        if (node.resolve(document) === undefined) {
          unresolved = node;
          return visit.BREAK;
        }
      },
    });
    const blame = unresolved ?? first;
    return { error: `YAML: ${(err as Error).message}`, offset: blame?.range?.[0] ?? document.contents?.range?.[0] ?? 0 };
  }
}

/** The byte offset of the node at `path` (or of its closest existing ancestor). */
export function offsetOf(document: Document.Parsed, path: ReadonlyArray<string | number>, point: 'key' | 'value'): number {
  for (let n = path.length; n >= 0; n--) {
    const sub = path.slice(0, n);
    const wantKey = point === 'key' || n < path.length;
    if (wantKey && n > 0 && typeof sub[n - 1] === 'string' && isMap(document.getIn(sub.slice(0, -1), true))) {
      // Point at the key, where a reader looks for "that field".
      const map = document.getIn(sub.slice(0, -1), true) as { items: Array<{ key: Node | null }> };
      const pair = map.items.find((p) => isScalar(p.key) && String(p.key.value) === sub[n - 1]);
      if (pair?.key?.range) return pair.key.range[0];
    }
    const node = (n === 0 ? document.contents : document.getIn(sub, true)) as Node | null | undefined;
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
}

interface Explained {
  path: Array<string | number>;
  message: string;
  /** Unknown fields point at their key, bad values at the value. */
  point: 'key' | 'value';
}

/**
 * One zod issue as messages at paths. A condition that matches no form of the union is
 * re-checked against the form its keys announce (`field:` → a field condition, `detect:` →
 * a detector, ...), so the message says what is wrong with *that* form.
 */
function explain(issue: z.core.$ZodIssue, raw: unknown): Explained[] {
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: `${formatPath([...path, key])}: unknown field`, point: 'key' as const }));
  }
  if (issue.code === 'invalid_key') {
    // A record key (a hunt's param name, ...): zod's own message only says "Invalid key in record".
    const reason = issue.issues.map((i) => i.message).join('; ') || issue.message;
    return [{ path, message: `${formatPath(path)}: ${reason}`, point: 'key' }];
  }
  if (issue.code === 'invalid_union') {
    const value = valueAt(raw, path);
    const form = conditionForm(value);
    if (form) {
      const sub = form.safeParse(value, { reportInput: true });
      if (!sub.success) return sub.error.issues.flatMap((i) => explain({ ...i, path: [...path, ...i.path] } as z.core.$ZodIssue, raw));
    }
    if (value !== null && typeof value === 'object' && 'kind' in value && issue.path.length === 0) {
      return [{ path: ['kind'], message: `kind: must be one of rule, list, macro, detectors, test, hunt`, point: 'value' }];
    }
  }
  const where = formatPath(path);
  let message = issue.message;
  if (issue.code === 'invalid_type' && 'input' in issue && issue.input === undefined) message = 'Required';
  return [{ path, message: where ? `${where}: ${message}` : message, point: message === 'Required' ? 'key' : 'value' }];
}

function conditionForm(value: unknown): z.ZodType | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const keys = Object.keys(value);
  if (keys.includes('field')) return FieldCondition;
  if (keys.includes('detect')) return DetectCondition;
  if (keys.includes('all')) return AllCondition;
  if (keys.includes('any')) return AnyCondition;
  if (keys.includes('not')) return NotCondition;
  if (keys.includes('macro')) return MacroCondition;
  return null;
}

function valueAt(raw: unknown, path: ReadonlyArray<string | number>): unknown {
  let v = raw;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string | number, unknown>)[p];
  }
  return v;
}
