/**
 * The rule language (rules/*.yaml), as zod schemas: every document has a `kind` — `rule`,
 * `list`, `macro`, `detectors` (built-in detector options), `test` (events in, detections
 * out) or `hunt` (SQL over the evidence store on a schedule). rules/README.md is the user's
 * reference; `runwatch rules schema` prints the JSON Schema editors complete rule files with.
 */
import { validateDetailed as validateCron } from 'node-cron';
import { z } from 'zod';
import { SEVERITIES } from '../records.js';
import { parseDuration } from './duration.js';

/** A dotted event field path: `tool_call.arguments.to`, `retrieval.documents[].content`. */
export const FieldPath = z
  .string()
  .min(1)
  .regex(/^[A-Za-z_][\w-]*(\[\]|\.[\w-]+)*(\.?\*)?$/, 'a field path like tool_call.arguments.to or retrieval.documents[].content');

const Duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== null, 'a duration like 500ms, 30s, 10m, 2h, 7d')
  .transform((v) => parseDuration(v)!);

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore, starting with a letter or digit');
export const Scalar = z.union([z.string(), z.number(), z.boolean()]);
export type Scalar = z.infer<typeof Scalar>;

/** A string, a list of strings (any of them), or `$name` of a `kind: list` document. */
const StringsOrList = z.union([z.string(), z.array(z.string()).min(1)]);

export const TRANSFORMS = ['nfkc', 'strip_invisible', 'lowercase', 'decode'] as const;
export const OPERATORS = ['equals', 'in', 'contains', 'startswith', 'endswith', 'regex', 'gt', 'gte', 'lt', 'lte', 'exists', 'cidr', 'equals_field'] as const;
export type Operator = (typeof OPERATORS)[number];

export const FieldCondition = z
  .object({
    field: FieldPath,
    equals: Scalar.optional(),
    in: z.union([z.array(Scalar).min(1), z.string().regex(/^\$/, '$name of a list')]).optional(),
    contains: StringsOrList.optional(),
    startswith: StringsOrList.optional(),
    endswith: StringsOrList.optional(),
    regex: z.string().optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
    cidr: StringsOrList.optional(),
    /** Compare with another field of the same event. */
    equals_field: FieldPath.optional(),
    /** Case-insensitive comparison for equals, in, contains, startswith, endswith, regex. */
    nocase: z.boolean().optional(),
    /** Applied to the value before comparing; `decode` also tries base64 / hex / URL-decoded forms. */
    transform: z.array(z.enum(TRANSFORMS)).optional(),
  })
  .strict()
  .refine((c) => OPERATORS.filter((op) => c[op] !== undefined).length === 1, {
    message: `exactly one operator: ${OPERATORS.join(', ')}`,
  });
export type FieldCondition = z.infer<typeof FieldCondition>;

export const DetectCondition = z
  .object({
    /** A built-in detector: injection, jailbreak, prompt_extraction, indirect_injection, secrets, pii, ... */
    detect: z.string().min(1),
    min_score: z.number().min(0).max(1).default(0.5),
    /** Only findings with one of these labels count. */
    label: StringsOrList.optional(),
  })
  .strict();
export type DetectCondition = z.infer<typeof DetectCondition>;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | { macro: string }
  | DetectCondition
  | FieldCondition
  /** Shorthand: `{ kind: tool_call }` is `{ field: kind, equals: tool_call }`; a list value means `in`. */
  | Record<string, Scalar | Scalar[]>;

export const AllCondition = z.object({ all: z.array(z.lazy(() => ConditionSchema)).min(1) }).strict();
export const AnyCondition = z.object({ any: z.array(z.lazy(() => ConditionSchema)).min(1) }).strict();
export const NotCondition = z.object({ not: z.lazy(() => ConditionSchema) }).strict();
export const MacroCondition = z.object({ macro: Id }).strict();

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    AllCondition,
    AnyCondition,
    NotCondition,
    MacroCondition,
    DetectCondition,
    FieldCondition,
    z
      .record(FieldPath, z.union([Scalar, z.array(Scalar).min(1)]))
      .refine((r) => Object.keys(r).length === 1, 'a shorthand condition has one field: { tool_call.name: send_email }'),
  ]),
) as z.ZodType<Condition>;

const By = z.array(FieldPath).min(1);

const SequenceStep = z
  .object({
    id: Id,
    match: ConditionSchema,
    /** Join this step on other fields than the rule's `by` (same number of fields, compared in order). */
    by: By.optional(),
  })
  .strict();

const windowed = {
  /** Group key: the fields whose values must be equal across the correlated events. */
  by: By,
  /** Time span, in event time, the correlated events must fall within. */
  within: Duration,
  /** How late (event time behind the newest seen) an event may arrive and still count. */
  lateness: Duration.default(30_000),
};

export const Correlation = z.discriminatedUnion('type', [
  z.object({ type: z.literal('sequence'), ...windowed, steps: z.array(SequenceStep).min(2) }).strict(),
  z.object({ type: z.literal('count'), ...windowed, match: ConditionSchema, threshold: z.number().int().min(1) }).strict(),
  z.object({ type: z.literal('value_count'), ...windowed, match: ConditionSchema, field: FieldPath, threshold: z.number().int().min(1) }).strict(),
  z.object({ type: z.literal('sum'), ...windowed, match: ConditionSchema, field: FieldPath, threshold: z.number().positive() }).strict(),
  z
    .object({
      type: z.literal('absence'),
      ...windowed,
      /** The event that needs a partner. */
      trigger: ConditionSchema,
      /** The partner that must exist within `within`: after the trigger (default) or before it. */
      expect: ConditionSchema,
      order: z.enum(['after', 'before']).default('after'),
    })
    .strict(),
]);
export type Correlation = z.infer<typeof Correlation>;

const Exception = z
  .object({
    name: z.string().min(1),
    /** Falco-style: the fields, then tuples of values; an event matching any tuple is excepted. */
    fields: z.array(FieldPath).min(1),
    values: z.array(z.array(Scalar).min(1)).min(1),
  })
  .strict()
  .refine((e) => e.values.every((tuple) => tuple.length === e.fields.length), 'every values tuple has one value per field');

/** What every document that produces detections (rules and hunts) starts with. */
const detectionHeader = {
  id: Id,
  name: z.string().min(1),
  version: z.number().int().min(1),
  status: z.enum(['experimental', 'test', 'stable', 'deprecated']).default('stable'),
  description: z.string().default(''),
  severity: z.enum(SEVERITIES),
  /** OWASP LLM Top 10 (`owasp.llm01`), MITRE ATLAS (`atlas.AML.T0051.000`), OWASP agentic (`owasp.agentic.t2`), free tags. */
  tags: z.array(z.string().min(1)).default([]),
  enabled: z.boolean().default(true),
};

export const RuleDoc = z
  .object({
    kind: z.literal('rule'),
    ...detectionHeader,
    match: ConditionSchema.optional(),
    correlate: Correlation.optional(),
    exceptions: z.array(Exception).default([]),
    /** Repeats with the same key within the window are suppressed (and counted). */
    dedup: z
      .object({ key: z.array(FieldPath).default(['tenant', 'agent_id', 'session_id']), window: Duration })
      .strict()
      .optional(),
    playbooks: z.array(Id).default([]),
    /** Detection summary; `{{field.path}}` is replaced with the value from the last matching event. */
    summary: z.string().optional(),
    /** Evaluated by the collector's /v1/check too (single-event rules only). */
    inline: z.boolean().default(false),
    /** Correlation state limit: groups beyond it evict the least recently updated one. */
    max_groups: z.number().int().min(1).max(10_000_000).default(100_000),
  })
  .strict()
  .refine((r) => (r.match === undefined) !== (r.correlate === undefined), 'a rule has either match (one event) or correlate (several)')
  .refine((r) => !(r.inline && r.correlate), 'inline rules are single-event rules (match, not correlate)');
export type RuleDoc = z.infer<typeof RuleDoc>;

export const ListDoc = z.object({ kind: z.literal('list'), id: Id, description: z.string().optional(), items: z.array(Scalar).min(1) }).strict();
export type ListDoc = z.infer<typeof ListDoc>;

export const MacroDoc = z.object({ kind: z.literal('macro'), id: Id, description: z.string().optional(), condition: ConditionSchema }).strict();
export type MacroDoc = z.infer<typeof MacroDoc>;

export const DetectorsDoc = z
  .object({
    kind: z.literal('detectors'),
    allowed_hosts: z.array(z.string().min(1)).optional(),
    canaries: z.array(z.string().min(6)).optional(),
    tool_policy: z.record(z.string(), z.object({ allow: z.array(z.string()).optional(), deny: z.array(z.string()).optional() }).strict()).optional(),
    egress_allowlist: z.array(z.string().min(1)).optional(),
  })
  .strict();
export type DetectorsDoc = z.infer<typeof DetectorsDoc>;

export const TestDoc = z
  .object({
    kind: z.literal('test'),
    id: Id,
    description: z.string().optional(),
    /** Rules whose detections the test checks; by default every rule of the pack. */
    rules: z.array(Id).optional(),
    events: z
      .array(z.object({ at: Duration.default(0), event: z.record(z.string(), z.unknown()) }).strict())
      .min(1),
    /** Expected detections; an empty list means none of the checked rules fire. */
    expect: z.array(
      z
        .object({
          rule: Id,
          count: z.number().int().min(0).default(1),
          severity: z.enum(SEVERITIES).optional(),
          /** Indexes into `events` the detection must carry, in order. */
          events: z.array(z.number().int().min(0)).optional(),
        })
        .strict(),
    ),
  })
  .strict();
export type TestDoc = z.infer<typeof TestDoc>;

/** A column of a hunt's result rows: `key_id`, `tokens`. */
const Column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a column of the query result: letters, digits and underscore');

/** Parameters every hunt query gets: the time range of the run and the evidence database. */
export const HUNT_BOUND_PARAMS = ['since', 'until', 'database'] as const;

/** A node-cron expression: 5 fields, or 6 with seconds first (`*\/15 * * * *`, `0 3 * * mon`). */
const CronExpression = z.string().superRefine((expr, ctx) => {
  const { errors } = validateCron(expr);
  if (errors.length > 0) ctx.addIssue({ code: 'custom', message: `not a cron expression: ${errors.map((e) => e.message).join('; ')}` });
});

export const HuntDoc = z
  .object({
    kind: z.literal('hunt'),
    ...detectionHeader,
    /** When to run, in UTC: a node-cron expression. */
    schedule: CronExpression,
    /** How far back a run looks: the query's `{since}` is the run time minus this, `{until}` the run time. */
    lookback: Duration.refine((ms) => ms >= 1000, 'at least 1s'),
    /** One ClickHouse SELECT; `{since:DateTime64(3)}`, `{until:DateTime64(3)}`, `{database:Identifier}` and `params` are bound. */
    query: z.string().trim().min(1),
    /** More bound parameters, typed where the query uses them: `{factor:Float64}`. */
    params: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/, 'a parameter name: lowercase letters, digits and underscore'), z.union([Scalar, z.array(Scalar)])).default({}),
    /** Result columns that identify a finding (with `tenant`): the detection's group key. */
    by: z.array(Column).min(1),
    /** Detection summary; `{{column}}` is replaced with the row's value. */
    summary: z.string().optional(),
    /** One detection per group key and window (windows aligned to the epoch, UTC); default: `lookback`. */
    dedup: z.object({ window: Duration.refine((ms) => ms >= 1000, 'at least 1s') }).strict().optional(),
    playbooks: z.array(Id).default([]),
    /** The query's max_execution_time. */
    timeout: Duration.refine((ms) => ms >= 1000 && ms <= 3_600_000, 'between 1s and 1h').default(60_000),
    /** Rows beyond this are not turned into detections (a warning says how many were dropped). */
    max_rows: z.number().int().min(1).max(100_000).default(1000),
  })
  .strict();
export type HuntDoc = z.infer<typeof HuntDoc>;

export const RuleFileDoc = z.discriminatedUnion('kind', [RuleDoc, ListDoc, MacroDoc, DetectorsDoc, TestDoc, HuntDoc]);
export type RuleFileDoc = z.infer<typeof RuleFileDoc>;
