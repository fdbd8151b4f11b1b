/**
 * From parsed rule documents to predicates the engine runs. Everything that can be checked
 * before an event arrives is checked here, with the file:line:col of the mistake: unknown
 * lists, macros, detectors and fields, bad regexes and CIDRs, macro cycles, duplicate ids,
 * and in hunts, query parameters nothing binds and summary fields that are not columns.
 */
import { createHash } from 'node:crypto';
import type { DetectorConfig, DetectorResult } from '../detectors/types.js';
import type { TelemetryEvent } from '../events/schema.js';
import { parseCidr, ipInCidr } from './cidr.js';
import { asText, compilePath, unknownFieldReason, type PathGetter } from './fields.js';
import type { LoadedDoc, LoadResult, Problem, SourceRef } from './load.js';
import {
  HUNT_BOUND_PARAMS,
  OPERATORS,
  type Condition,
  type Correlation,
  type DetectCondition,
  type FieldCondition,
  type HuntDoc,
  type ListDoc,
  type MacroDoc,
  type RuleDoc,
  type Scalar,
  type TestDoc,
} from './schema.js';
import { applyTransforms } from './transforms.js';

/** What a predicate sees: the event, and the built-in detectors' results, each computed once. */
export interface EvalContext {
  event: TelemetryEvent;
  detect(name: string): DetectorResult;
}

export type Predicate = (ctx: EvalContext) => boolean;

export interface DetectorUse {
  name: string;
  minScore: number;
  labels: ReadonlySet<string> | null;
}

export type CompiledCorrelation =
  | { type: 'sequence'; by: PathGetter[]; within: number; lateness: number; steps: Array<{ id: string; match: Predicate; by: PathGetter[] }> }
  | { type: 'count'; by: PathGetter[]; within: number; lateness: number; match: Predicate; threshold: number }
  | { type: 'value_count'; by: PathGetter[]; within: number; lateness: number; match: Predicate; field: PathGetter; threshold: number }
  | { type: 'sum'; by: PathGetter[]; within: number; lateness: number; match: Predicate; field: PathGetter; threshold: number }
  | { type: 'absence'; by: PathGetter[]; within: number; lateness: number; trigger: Predicate; expect: Predicate; order: 'after' | 'before' };

export interface CompiledRule {
  doc: RuleDoc;
  source: SourceRef;
  match: Predicate | null;
  correlate: CompiledCorrelation | null;
  /** True when an exception covers the event. */
  excepted: Predicate;
  dedup: { key: PathGetter[]; window: number } | null;
  /** Detectors the rule's conditions use: their findings become the detection's evidence. */
  detectors: DetectorUse[];
  /** Hash of the rule's definition: unchanged rules keep their window state across reloads. */
  fingerprint: string;
}

/** A scheduled hunt: not run by the engine, but by the evidence service's HuntScheduler. */
export interface CompiledHunt {
  doc: HuntDoc;
  source: SourceRef;
  /** One detection per group key within each window of this length (epoch-aligned). */
  dedupWindowMs: number;
}

export interface CompiledPack {
  rules: CompiledRule[];
  hunts: CompiledHunt[];
  detectorConfig: DetectorConfig;
  tests: Array<LoadedDoc & { doc: TestDoc }>;
  /** The longest `within` + `lateness` of any correlation rule: how far back state must be rebuilt. */
  maxWindowMs: number;
}

export interface DetectorNames {
  has(name: string): boolean;
  names(): string[];
}

export function compilePack(loaded: LoadResult, detectors: DetectorNames): { pack: CompiledPack; problems: Problem[] } {
  const problems: Problem[] = [...loaded.problems];
  const lists = new Map<string, { doc: ListDoc; source: SourceRef }>();
  const macros = new Map<string, { doc: MacroDoc; source: SourceRef }>();
  const ruleDocs: Array<{ doc: RuleDoc; source: SourceRef }> = [];
  const hunts: CompiledHunt[] = [];
  const tests: CompiledPack['tests'] = [];
  const detectorConfig: DetectorConfig = {};
  const seen = new Map<string, SourceRef>();

  for (const { doc, source } of loaded.docs) {
    if (doc.kind === 'detectors') {
      const { kind: _kind, ...config } = doc;
      mergeDetectorConfig(detectorConfig, config);
      continue;
    }
    const key = `${doc.kind}:${doc.id}`;
    const earlier = seen.get(key);
    if (earlier) {
      problems.push(problem(source, ['id'], `duplicate ${doc.kind} id '${doc.id}' (first defined at ${earlier.file}:${earlier.line})`));
      continue;
    }
    seen.set(key, source);
    if (doc.kind === 'list') lists.set(doc.id, { doc, source });
    else if (doc.kind === 'macro') macros.set(doc.id, { doc, source });
    else if (doc.kind === 'rule') ruleDocs.push({ doc, source });
    else if (doc.kind === 'hunt') hunts.push(compileHunt(doc, source, problems));
    else tests.push({ doc, source });
  }
  for (const h of hunts) {
    // Detections of both carry the id as rule_id: one id, one meaning.
    const rule = ruleDocs.find((r) => r.doc.id === h.doc.id);
    if (rule) problems.push(problem(h.source, ['id'], `hunt id '${h.doc.id}' is also a rule id (${rule.source.file}:${rule.source.line})`));
  }

  const compiler = new ConditionCompiler(lists, macros, detectors, problems);
  const rules: CompiledRule[] = [];
  let maxWindowMs = 0;
  for (const { doc, source } of ruleDocs) {
    const uses: DetectorUse[] = [];
    const c = (cond: Condition, path: Array<string | number>) => compiler.compile(cond, source, path, uses, []);
    const rule: CompiledRule = {
      doc,
      source,
      match: doc.match ? c(doc.match, ['match']) : null,
      correlate: doc.correlate ? compileCorrelation(doc.correlate, c, source, problems) : null,
      excepted: compileExceptions(doc, source, problems),
      dedup: doc.dedup ? { key: doc.dedup.key.map((p) => checkedPath(p, source, ['dedup', 'key'], problems)), window: doc.dedup.window } : null,
      detectors: uses,
      fingerprint: createHash('sha256').update(JSON.stringify(doc)).digest('hex').slice(0, 16),
    };
    if (rule.correlate) maxWindowMs = Math.max(maxWindowMs, rule.correlate.within + rule.correlate.lateness);
    rules.push(rule);
  }
  const unknownRule = (id: string) =>
    hunts.some((h) => h.doc.id === id) ? `'${id}' is a hunt: rule tests feed events to stream rules (run a hunt with runwatch rules hunt)` : `unknown rule '${id}'`;
  for (const t of tests) {
    for (const [i, rule] of (t.doc.rules ?? []).entries()) {
      if (!ruleDocs.some((r) => r.doc.id === rule)) problems.push(problem(t.source, ['rules', i], unknownRule(rule)));
    }
    for (const [i, e] of t.doc.expect.entries()) {
      if (!ruleDocs.some((r) => r.doc.id === e.rule)) problems.push(problem(t.source, ['expect', i, 'rule'], unknownRule(e.rule)));
    }
  }
  return { pack: { rules, hunts, detectorConfig, tests, maxWindowMs }, problems };
}

/** `{name:Type}` query parameters, as ClickHouse reads them. */
const QUERY_PARAM = /\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*[^{}]+?\s*\}/g;
/** `{{column}}` in a hunt summary. */
const SUMMARY_FIELD = /\{\{\s*([^}]*?)\s*\}\}/g;
const COLUMN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A hunt's checks that need more than its schema: every parameter the query uses is bound and
 * every bound one used, and summary fields are plain column names (a hunt has rows, not events).
 */
function compileHunt(doc: HuntDoc, source: SourceRef, problems: Problem[]): CompiledHunt {
  const bound = new Set<string>(HUNT_BOUND_PARAMS);
  const used = new Set([...doc.query.matchAll(QUERY_PARAM)].map((m) => m[1]!));
  for (const name of used) {
    if (!bound.has(name) && !(name in doc.params)) {
      problems.push(problem(source, ['query'], `query: {${name}:...} is not bound: add it to params (bound already: ${HUNT_BOUND_PARAMS.join(', ')})`));
    }
  }
  for (const name of Object.keys(doc.params)) {
    if (bound.has(name)) problems.push(problem(source, ['params', name], `params: '${name}' is bound by runwatch (${HUNT_BOUND_PARAMS.join(', ')}); choose another name`));
    else if (!used.has(name)) problems.push(problem(source, ['params', name], `params: '${name}' is not used by the query`, 'warning'));
  }
  if (!used.has('database')) {
    problems.push(problem(source, ['query'], "query: does not use {database:Identifier}: its tables resolve in ClickHouse's default database, not the configured evidence database", 'warning'));
  }
  if (!used.has('since') && !used.has('until')) {
    problems.push(problem(source, ['query'], 'query: uses neither {since:DateTime64(3)} nor {until:DateTime64(3)}: every run reads all of history', 'warning'));
  }
  for (const [, field] of (doc.summary ?? '').matchAll(SUMMARY_FIELD)) {
    if (!COLUMN.test(field!)) problems.push(problem(source, ['summary'], `summary: {{${field}}} is not a column name (hunt summaries show the query's columns)`));
  }
  return { doc, source, dedupWindowMs: doc.dedup?.window ?? doc.lookback };
}

function compileCorrelation(
  c: Correlation,
  compile: (cond: Condition, path: Array<string | number>) => Predicate,
  source: SourceRef,
  problems: Problem[],
): CompiledCorrelation {
  const by = c.by.map((p, i) => checkedPath(p, source, ['correlate', 'by', i], problems));
  const base = { by, within: c.within, lateness: c.lateness };
  switch (c.type) {
    case 'sequence':
      return {
        ...base,
        type: 'sequence',
        steps: c.steps.map((s, i) => {
          if (s.by && s.by.length !== c.by.length) {
            problems.push(problem(source, ['correlate', 'steps', i, 'by'], `a step's by needs ${c.by.length} field(s), like the rule's by`));
          }
          return {
            id: s.id,
            match: compile(s.match, ['correlate', 'steps', i, 'match']),
            by: s.by ? s.by.map((p, j) => checkedPath(p, source, ['correlate', 'steps', i, 'by', j], problems)) : by,
          };
        }),
      };
    case 'count':
      return { ...base, type: 'count', match: compile(c.match, ['correlate', 'match']), threshold: c.threshold };
    case 'value_count':
    case 'sum':
      return {
        ...base,
        type: c.type,
        match: compile(c.match, ['correlate', 'match']),
        field: checkedPath(c.field, source, ['correlate', 'field'], problems),
        threshold: c.threshold,
      };
    case 'absence':
      return {
        ...base,
        type: 'absence',
        trigger: compile(c.trigger, ['correlate', 'trigger']),
        expect: compile(c.expect, ['correlate', 'expect']),
        order: c.order,
      };
  }
}

function compileExceptions(doc: RuleDoc, source: SourceRef, problems: Problem[]): Predicate {
  if (doc.exceptions.length === 0) return () => false;
  const compiled = doc.exceptions.map((e, i) => ({
    getters: e.fields.map((f, j) => checkedPath(f, source, ['exceptions', i, 'fields', j], problems)),
    tuples: e.values.map((tuple) => tuple.map((v) => String(v))),
  }));
  return ({ event }) =>
    compiled.some(({ getters, tuples }) => {
      const values = getters.map((g) => g(event).map(asText));
      return tuples.some((tuple) => tuple.every((expected, k) => values[k]!.includes(expected)));
    });
}

function checkedPath(path: string, source: SourceRef, at: Array<string | number>, problems: Problem[]): PathGetter {
  const reason = unknownFieldReason(path);
  if (reason) problems.push(problem(source, at, `${path}: ${reason}`));
  return compilePath(path);
}

function problem(source: SourceRef, path: Array<string | number>, message: string, severity: Problem['severity'] = 'error'): Problem {
  const { line, col } = source.at(path);
  return { file: source.file, line, col, severity, message };
}

function mergeDetectorConfig(into: DetectorConfig, add: DetectorConfig): void {
  if (add.allowed_hosts) into.allowed_hosts = [...(into.allowed_hosts ?? []), ...add.allowed_hosts];
  if (add.canaries) into.canaries = [...(into.canaries ?? []), ...add.canaries];
  if (add.egress_allowlist) into.egress_allowlist = [...(into.egress_allowlist ?? []), ...add.egress_allowlist];
  if (add.tool_policy) into.tool_policy = { ...into.tool_policy, ...add.tool_policy };
}

class ConditionCompiler {
  private readonly compiledMacros = new Map<string, Predicate>();

  constructor(
    private readonly lists: Map<string, { doc: ListDoc; source: SourceRef }>,
    private readonly macros: Map<string, { doc: MacroDoc; source: SourceRef }>,
    private readonly detectors: DetectorNames,
    private readonly problems: Problem[],
  ) {}

  compile(cond: Condition, source: SourceRef, path: Array<string | number>, uses: DetectorUse[], macroStack: string[]): Predicate {
    if ('all' in cond && Array.isArray(cond.all)) {
      const parts = (cond.all as Condition[]).map((c, i) => this.compile(c, source, [...path, 'all', i], uses, macroStack));
      return (ctx) => parts.every((p) => p(ctx));
    }
    if ('any' in cond && Array.isArray(cond.any)) {
      const parts = (cond.any as Condition[]).map((c, i) => this.compile(c, source, [...path, 'any', i], uses, macroStack));
      return (ctx) => parts.some((p) => p(ctx));
    }
    if ('not' in cond && typeof cond.not === 'object' && cond.not !== null) {
      const inner = this.compile(cond.not as Condition, source, [...path, 'not'], uses, macroStack);
      return (ctx) => !inner(ctx);
    }
    if ('macro' in cond && typeof cond.macro === 'string') return this.macro(cond.macro, source, path, uses, macroStack);
    if ('detect' in cond && typeof cond.detect === 'string') return this.detect(cond as DetectCondition, source, path, uses);
    if ('field' in cond && typeof cond.field === 'string') return this.field(cond as FieldCondition, source, path);
    const [field, value] = Object.entries(cond)[0] as [string, Scalar | Scalar[]];
    const expanded: FieldCondition = Array.isArray(value) ? { field, in: value } : { field, equals: value };
    return this.field(expanded, source, [...path, field]);
  }

  private macro(name: string, source: SourceRef, path: Array<string | number>, uses: DetectorUse[], stack: string[]): Predicate {
    const def = this.macros.get(name);
    if (!def) {
      this.problems.push(problem(source, [...path, 'macro'], `unknown macro '${name}'`));
      return () => false;
    }
    if (stack.includes(name)) {
      this.problems.push(problem(source, [...path, 'macro'], `macro cycle: ${[...stack, name].join(' → ')}`));
      return () => false;
    }
    const cached = this.compiledMacros.get(name);
    if (cached && stack.length === 0) return cached;
    const compiled = this.compile(def.doc.condition, def.source, ['condition'], uses, [...stack, name]);
    this.compiledMacros.set(name, compiled);
    return compiled;
  }

  private detect(cond: DetectCondition, source: SourceRef, path: Array<string | number>, uses: DetectorUse[]): Predicate {
    if (!this.detectors.has(cond.detect)) {
      this.problems.push(problem(source, [...path, 'detect'], `unknown detector '${cond.detect}' (known: ${this.detectors.names().join(', ')})`));
      return () => false;
    }
    const labels = cond.label === undefined ? null : new Set(typeof cond.label === 'string' ? [cond.label] : cond.label);
    uses.push({ name: cond.detect, minScore: cond.min_score, labels });
    const { detect: name, min_score: min } = cond;
    if (!labels) return (ctx) => ctx.detect(name).score >= min;
    return (ctx) => ctx.detect(name).findings.some((f) => f.score >= min && labels.has(f.label));
  }

  private field(cond: FieldCondition, source: SourceRef, path: Array<string | number>): Predicate {
    const get = checkedPath(cond.field, source, [...path, 'field'], this.problems);
    const op = OPERATORS.find((o) => cond[o] !== undefined)!;
    const at = [...path, op];
    const nocase = cond.nocase === true;
    const fold = (s: string) => (nocase ? s.toLowerCase() : s);
    const transforms = cond.transform ?? [];
    const texts = (event: TelemetryEvent): string[] => {
      const raw = get(event).map(asText);
      return transforms.length === 0 ? raw : raw.flatMap((t) => applyTransforms(t, transforms));
    };
    const strings = (value: string | string[]): string[] => this.strings(value, source, at).map(fold);

    switch (op) {
      case 'equals': {
        const expected = fold(String(cond.equals));
        return ({ event }) => texts(event).some((t) => fold(t) === expected);
      }
      case 'in': {
        const items = Array.isArray(cond.in) ? cond.in.map(String) : this.strings(cond.in!, source, at);
        const set = new Set(items.map(fold));
        return ({ event }) => texts(event).some((t) => set.has(fold(t)));
      }
      case 'contains': {
        const needles = strings(cond.contains!);
        return ({ event }) => texts(event).some((t) => needles.some((n) => fold(t).includes(n)));
      }
      case 'startswith': {
        const needles = strings(cond.startswith!);
        return ({ event }) => texts(event).some((t) => needles.some((n) => fold(t).startsWith(n)));
      }
      case 'endswith': {
        const needles = strings(cond.endswith!);
        return ({ event }) => texts(event).some((t) => needles.some((n) => fold(t).endsWith(n)));
      }
      case 'regex': {
        let re: RegExp;
        try {
          re = new RegExp(cond.regex!, nocase ? 'iu' : 'u');
        } catch (err) {
          this.problems.push(problem(source, at, `regex does not compile: ${(err as Error).message}`));
          return () => false;
        }
        return ({ event }) => texts(event).some((t) => re.test(t));
      }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const bound = cond[op]!;
        const cmp = { gt: (n: number) => n > bound, gte: (n: number) => n >= bound, lt: (n: number) => n < bound, lte: (n: number) => n <= bound }[op];
        return ({ event }) => get(event).some((v) => {
          const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
          return Number.isFinite(n) && cmp(n);
        });
      }
      case 'exists': {
        const want = cond.exists!;
        return ({ event }) => (get(event).length > 0) === want;
      }
      case 'cidr': {
        const ranges = strings(cond.cidr!).flatMap((c) => {
          const parsed = parseCidr(c);
          if (!parsed) this.problems.push(problem(source, at, `'${c}' is not a CIDR like 10.0.0.0/8 or fd00::/8`));
          return parsed ? [parsed] : [];
        });
        return ({ event }) => get(event).some((v) => typeof v === 'string' && ranges.some((r) => ipInCidr(v, r)));
      }
      case 'equals_field': {
        const other = checkedPath(cond.equals_field!, source, at, this.problems);
        return ({ event }) => {
          const theirs = new Set(other(event).map((v) => fold(asText(v))));
          return texts(event).some((t) => theirs.has(fold(t)));
        };
      }
    }
  }

  /** Literal strings, or the items of a `$list`. */
  private strings(value: string | string[], source: SourceRef, at: Array<string | number>): string[] {
    const values = typeof value === 'string' ? [value] : value;
    return values.flatMap((v) => {
      if (!v.startsWith('$')) return [v];
      const list = this.lists.get(v.slice(1));
      if (!list) {
        this.problems.push(problem(source, at, `unknown list '${v.slice(1)}'`));
        return [];
      }
      return list.doc.items.map(String);
    });
  }
}
