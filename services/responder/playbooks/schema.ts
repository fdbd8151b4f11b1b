/**
 * The playbook language (rules/playbooks/*.yaml), as zod schemas. Every document has a `kind`:
 * `playbook` (what to do for which detections), `provider` (how a `revoke_key` step revokes a
 * key), `safety` (dry-run, blast-radius caps, protected agents and keys, rate limits) or
 * `playbook_test` (a detection in, the planned steps out). rules/playbooks/README.md is the
 * user's reference.
 */
import { z } from 'zod';
import { ACTION_STATUSES, SEVERITIES, type Severity } from '../../shared/records.js';
import { parseDuration } from '../../shared/rules/duration.js';

/** Milliseconds, written `500ms`, `30s`, `10m`, `1h`, `7d` or a number of milliseconds. */
const Duration = z
  .union([z.string(), z.number()])
  .refine((v) => parseDuration(v) !== null, 'a duration like 500ms, 30s, 10m, 2h, 7d')
  .transform((v) => parseDuration(v)!);

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, dot, dash and underscore, starting with a letter or digit');

/** A string where `{{detection.key_id}}`, `{{env.NAME}}`, ... are replaced (template.ts). */
const Template = z.string().min(1);

/** The name of an environment variable holding a secret. */
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'an environment variable name: uppercase letters, digits and underscore');

/**
 * `critical`, `">= high"`, `"< high"`, `"== medium"`, or a list of severities. Parsed into the
 * set of severities it accepts, so evaluating it is a lookup.
 */
export const SeverityComparator = z
  .union([z.string(), z.array(z.enum(SEVERITIES)).min(1)])
  .transform((value, ctx): Severity[] => {
    if (Array.isArray(value)) return value;
    const parsed = parseSeverityComparator(value);
    if (parsed) return parsed;
    ctx.addIssue({ code: 'custom', message: `a severity (${SEVERITIES.join(', ')}), a comparison like ">= high", or a list` });
    return z.NEVER;
  });

const COMPARATOR = /^\s*(>=|<=|==|>|<)?\s*([a-z]+)\s*$/;

/** The severities `">= high"` accepts (`[high, critical]`), or null when the text is not a comparator. */
export function parseSeverityComparator(text: string): Severity[] | null {
  const m = COMPARATOR.exec(text);
  if (!m) return null;
  const rank = SEVERITIES.indexOf(m[2] as Severity);
  if (rank < 0) return null;
  const accepts: Record<string, (r: number) => boolean> = {
    '>=': (r) => r >= rank,
    '>': (r) => r > rank,
    '<=': (r) => r <= rank,
    '<': (r) => r < rank,
    '==': (r) => r === rank,
  };
  const test = accepts[m[1] ?? '=='];
  return SEVERITIES.filter((_, r) => test!(r));
}

/** Detection fields a playbook can match on and templates can name (`{{detection.agent_id}}`). */
export const DETECTION_FIELDS = [
  'detection_id', 'rule_id', 'rule_version', 'severity', 'ts', 'detected_at', 'tenant', 'agent_id', 'session_id', 'key_id',
  'user_id', 'group_key', 'event_ids', 'window_start', 'window_end', 'summary', 'tags', 'playbooks', 'suppressed_count',
] as const;
export type DetectionField = (typeof DETECTION_FIELDS)[number];

/** The fields `match.fields` may test: the identifying strings of a detection. */
export const MATCH_FIELDS = ['tenant', 'agent_id', 'session_id', 'key_id', 'user_id', 'rule_id', 'group_key'] as const;
export type MatchField = (typeof MATCH_FIELDS)[number];

/**
 * One field test: a value (`*` globs allowed), a list of values (any of them), or
 * `{ exists: true | false }` (present and not empty).
 */
const FieldTest = z.union([z.string(), z.array(z.string()).min(1), z.object({ exists: z.boolean() }).strict()]);
export type FieldTest = z.infer<typeof FieldTest>;

/** Criteria on the detection. Every criterion given must hold; inside a list, any item may. */
const detectionCriteria = {
  /** Rule ids, `*` globs allowed: `rw.abuse.key_*`. */
  rules: z.array(z.string().min(1)).min(1).optional(),
  /** At least one of the detection's tags; globs allowed: `owasp.llm0*`. */
  tags: z.array(z.string().min(1)).min(1).optional(),
  severity: SeverityComparator.optional(),
  fields: z.partialRecord(z.enum(MATCH_FIELDS), FieldTest).optional(),
};

export const Match = z.object(detectionCriteria).strict();
export type Match = z.infer<typeof Match>;

/** Step outcomes a `when:` can test (the terminal statuses of an action). */
export const STEP_OUTCOMES = ['succeeded', 'failed', 'skipped', 'approved', 'rejected', 'dry_run'] as const satisfies ReadonlyArray<(typeof ACTION_STATUSES)[number]>;
export type StepOutcomeStatus = (typeof STEP_OUTCOMES)[number];

/**
 * A step's condition: detection criteria (as in `match`), an earlier step's outcome
 * (`{ step: approve, status: approved }`), and `all` / `any` / `not` over conditions.
 * Every key given must hold.
 */
export interface When {
  rules?: string[];
  tags?: string[];
  severity?: Severity[];
  fields?: Partial<Record<MatchField, FieldTest>>;
  step?: string;
  status?: StepOutcomeStatus[];
  all?: When[];
  any?: When[];
  not?: When;
}

export const When: z.ZodType<When, unknown> = z.lazy(() =>
  z
    .object({
      ...detectionCriteria,
      step: Id.optional(),
      status: z
        .union([z.enum(STEP_OUTCOMES), z.array(z.enum(STEP_OUTCOMES)).min(1)])
        .transform((s) => (Array.isArray(s) ? s : [s]))
        .optional(),
      all: z.array(When).min(1).optional(),
      any: z.array(When).min(1).optional(),
      not: When.optional(),
    })
    .strict()
    .refine((w) => (w.step === undefined) === (w.status === undefined), '`step` and `status` go together: { step: approve, status: approved }')
    .refine((w) => Object.keys(w).length > 0, 'an empty condition'),
) as z.ZodType<When, unknown>;

/** Delay before retry n (1-based): `min(max, initial * factor^(n-1))`. */
const Backoff = z
  .object({ initial: Duration.default(1000), factor: z.number().min(1).max(10).default(2), max: Duration.default(60_000) })
  .strict();

const Retry = z
  .object({
    /** Attempts in all, the first one included. */
    attempts: z.number().int().min(1).max(20).default(3),
    backoff: Backoff.prefault({}),
    /** What happens when the last attempt failed too. */
    then: z.enum(['abort', 'continue']).default('abort'),
  })
  .strict();
export type Retry = z.infer<typeof Retry>;

const stepHeader = {
  /** Unique within the playbook; `when: { step: <id>, ... }` refers to it. */
  id: Id,
  description: z.string().optional(),
  when: When.optional(),
  /**
   * When the step fails: `abort` ends the run (later steps do not run), `continue` goes on to
   * the next step (the failure stays visible to later `when:`), `retry` tries again per `retry`.
   */
  on_error: z.enum(['abort', 'continue', 'retry']).default('abort'),
  retry: Retry.optional(),
};

const QuarantineAgentStep = z
  .object({
    ...stepHeader,
    type: z.literal('quarantine_agent'),
    /** Released automatically after this long. */
    duration: Duration.refine((ms) => ms >= 1000, 'at least 1s'),
    agent: Template.default('{{detection.agent_id}}'),
  })
  .strict();

const RevokeKeyStep = z
  .object({ ...stepHeader, type: z.literal('revoke_key'), provider: Id, key: Template.default('{{detection.key_id}}') })
  .strict();

const BlockSessionStep = z
  .object({ ...stepHeader, type: z.literal('block_session'), session: Template.default('{{detection.session_id}}'), duration: Duration.optional() })
  .strict();

const NotifyStep = z
  .object({
    ...stepHeader,
    type: z.literal('notify'),
    /** The webhook; usually `{{env.NAME}}`, since webhook URLs (Slack's) are secrets themselves. */
    url: Template,
    /** `json`: runwatch's payload; `slack`: `{ text }` for Slack-compatible incoming webhooks. */
    format: z.enum(['json', 'slack']).default('json'),
    /** Env var holding the HMAC key for `X-Runwatch-Signature`; unsigned without it. */
    secret_env: EnvName.optional(),
    message: Template.default('[runwatch] {{detection.severity}} {{detection.rule_id}}: {{detection.summary}}'),
    headers: z.record(z.string().min(1), Template).default({}),
  })
  .strict();

const RequireApprovalStep = z
  .object({
    ...stepHeader,
    type: z.literal('require_approval'),
    /** How long to wait for an operator. */
    timeout: Duration.refine((ms) => ms >= 1000, 'at least 1s'),
    /** The outcome when nobody answered in time. */
    default: z.enum(['approved', 'rejected']).default('rejected'),
    message: Template.optional(),
  })
  .strict();

const SnapshotEvidenceStep = z
  .object({
    ...stepHeader,
    type: z.literal('snapshot_evidence'),
    /** Events of the session / agent this long before and after the detection's window. */
    context: Duration.default(300_000),
  })
  .strict();

export const Step = z.discriminatedUnion('type', [
  QuarantineAgentStep, RevokeKeyStep, BlockSessionStep, NotifyStep, RequireApprovalStep, SnapshotEvidenceStep,
]);
export type Step = z.infer<typeof Step>;
export type StepType = Step['type'];
export const STEP_TYPES = ['quarantine_agent', 'revoke_key', 'block_session', 'notify', 'require_approval', 'snapshot_evidence'] as const satisfies readonly StepType[];

/** Steps that touch something outside runwatch's evidence: dry-run records what they would do instead. */
export const SIDE_EFFECT_STEPS: ReadonlySet<StepType> = new Set(['quarantine_agent', 'revoke_key', 'block_session', 'notify', 'require_approval']);

export const PlaybookDoc = z
  .object({
    kind: z.literal('playbook'),
    id: Id,
    name: z.string().min(1),
    version: z.number().int().min(1).default(1),
    description: z.string().default(''),
    enabled: z.boolean().default(true),
    /** Record what every side-effect step would do, do nothing. */
    dry_run: z.boolean().default(false),
    /** Which detections it runs for (besides those whose rule names it in `playbooks:`). */
    match: Match.optional(),
    /** Runs only when no other (non-fallback) playbook applies: "high notifies" without double notices. */
    fallback: z.boolean().default(false),
    steps: z.array(Step).min(1),
  })
  .strict();
export type PlaybookDoc = z.infer<typeof PlaybookDoc>;

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const RegistryProvider = z.object({ kind: z.literal('provider'), id: Id, description: z.string().optional(), type: z.literal('registry') }).strict();

const HttpProvider = z
  .object({
    kind: z.literal('provider'),
    id: Id,
    description: z.string().optional(),
    type: z.literal('http'),
    method: z.enum(HTTP_METHODS),
    /** Placeholders are URL-encoded (`| raw` for a base URL from env). */
    url: Template,
    /** Secrets only as `{{env.NAME}}`. */
    headers: z.record(z.string().min(1), Template).default({}),
    /** A string template (placeholders escaped per `body_encoding`) or a JSON object whose strings are templates. */
    body: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    body_encoding: z.enum(['json', 'form', 'text']).default('json'),
    /** HTTP statuses that mean "revoked"; default any 2xx. 404 is worth adding for idempotent deletes. */
    success_status: z.array(z.number().int().min(100).max(599)).optional(),
    timeout: Duration.default(10_000),
  })
  .strict();

export const ProviderDoc = z.discriminatedUnion('type', [RegistryProvider, HttpProvider]);
export type ProviderDoc = z.infer<typeof ProviderDoc>;
export type HttpProviderDoc = z.infer<typeof HttpProvider>;

const RateLimit = z.object({ max: z.number().int().min(1), per: Duration.refine((ms) => ms >= 1000, 'at least 1s') }).strict();
export type RateLimit = z.infer<typeof RateLimit>;

export const SafetyDoc = z
  .object({
    kind: z.literal('safety'),
    /** Every playbook records what it would do and does nothing. */
    dry_run: z.boolean().default(false),
    max_revocations_per_hour: z.number().int().min(0).default(10),
    max_quarantines_per_hour: z.number().int().min(0).default(20),
    /** Agent ids (`*` globs) no step ever quarantines, nor blocks the sessions of. */
    protected_agents: z.array(z.string().min(1)).default([]),
    /** Key ids (`*` globs) no step ever revokes. */
    protected_keys: z.array(z.string().min(1)).default([]),
    /** Runs of one playbook (per tenant); `default` for every playbook, `playbooks.<id>` overrides. */
    rate_limit: z
      .object({ default: RateLimit.optional(), playbooks: z.record(Id, RateLimit).default({}) })
      .strict()
      .prefault({}),
  })
  .strict();
export type SafetyDoc = z.infer<typeof SafetyDoc>;

/** What a run does with no safety document. */
export const DEFAULT_SAFETY: SafetyDoc = SafetyDoc.parse({ kind: 'safety' });

/** A detection as tests and `playbooks plan --detection` write it: anything left out gets a neutral default. */
export const DetectionInput = z
  .object({
    detection_id: z.string().default('det-test'),
    rule_id: z.string().min(1),
    rule_version: z.number().int().default(1),
    severity: z.enum(SEVERITIES),
    ts: z.number().default(0),
    detected_at: z.number().default(0),
    tenant: z.string().default('default'),
    agent_id: z.string().nullable().default(null),
    session_id: z.string().nullable().default(null),
    key_id: z.string().nullable().default(null),
    user_id: z.string().nullable().default(null),
    group_key: z.string().default(''),
    event_ids: z.array(z.string()).default([]),
    window_start: z.number().default(0),
    window_end: z.number().default(0),
    summary: z.string().default(''),
    tags: z.array(z.string()).default([]),
    playbooks: z.array(z.string()).default([]),
    evidence: z.array(z.unknown()).default([]),
    suppressed_count: z.number().int().default(0),
  })
  .strict();

export const PlaybookTestDoc = z
  .object({
    kind: z.literal('playbook_test'),
    id: Id,
    description: z.string().optional(),
    detection: DetectionInput,
    /** Simulated outcomes of steps that would run (default: succeeded; approvals: their timeout default). */
    outcomes: z.record(Id, z.enum(['succeeded', 'failed', 'approved', 'rejected'])).default({}),
    /** Recent actions the safety caps count. */
    recent: z.object({ revocations: z.number().int().min(0).default(0), quarantines: z.number().int().min(0).default(0) }).strict().prefault({}),
    /** Plan as if dry-run were off everywhere (default) or as configured. */
    dry_run: z.enum(['off', 'as_configured']).default('off'),
    /** The playbooks that run, in order, with the planned status of each step; `[]` = record only. */
    expect: z.array(
      z
        .object({ playbook: Id, result: z.enum(['completed', 'aborted', 'rate_limited']).optional(), steps: z.record(Id, z.enum(STEP_OUTCOMES)).default({}) })
        .strict(),
    ),
  })
  .strict();
export type PlaybookTestDoc = z.infer<typeof PlaybookTestDoc>;

/** Every document of a playbook file. `provider` is a union on `type`, so this is a union on `kind` first. */
export const PlaybookFileDoc = z.union([PlaybookDoc, ProviderDoc, SafetyDoc, PlaybookTestDoc]);
export type PlaybookFileDoc = z.infer<typeof PlaybookFileDoc>;

export const PLAYBOOK_KINDS = ['playbook', 'provider', 'safety', 'playbook_test'] as const;

/** The schema of one kind, so a document's errors are those of its kind, not of a union. */
export function schemaOfKind(kind: unknown): z.ZodType | null {
  switch (kind) {
    case 'playbook':
      return PlaybookDoc;
    case 'provider':
      return ProviderDoc;
    case 'safety':
      return SafetyDoc;
    case 'playbook_test':
      return PlaybookTestDoc;
    default:
      return null;
  }
}
