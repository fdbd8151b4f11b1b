/**
 * The planner: for one detection, which playbooks run (and why), and what each step does or
 * would do. `decideStep` is the one decision the responder makes before performing a step
 * (target, protection, caps, dry-run); `planDetection` plays whole runs through the step state
 * machine (sequence.ts) without touching anything, for `runwatch playbooks plan` and tests.
 */
import type { Detection } from '../../shared/records.js';
import type { PlaybookSet } from './load.js';
import { matchPlaybooks } from './match.js';
import { describeStep } from './requests.js';
import { capReason, isDryRun, protectedReason, rateLimitOf, rateLimitReason, type RecentActions } from './safety.js';
import { DEFAULT_SAFETY, DetectionInput, SIDE_EFFECT_STEPS, type PlaybookDoc, type ProviderDoc, type SafetyDoc, type Step, type StepOutcomeStatus } from './schema.js';
import { nextStep, type StepRecord } from './sequence.js';
import { renderTemplate, type TemplateContext } from './template.js';

export { backoffDelay, nextStep, type NextStep, type StepRecord } from './sequence.js';
export { matchPlaybooks, whenHolds, type PlaybookMatch } from './match.js';
export { capReason, protectedReason, rateLimitReason, type RecentActions } from './safety.js';
export { renderTemplate, renderJsonBody } from './template.js';
export { signBody, verifySignature } from './sign.js';

/** What to do with a step that `nextStep` says to run. */
export type StepDecision =
  | { kind: 'perform'; target: string | null; detail: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'dry_run'; target: string | null; detail: string };

/** Everything outside the detection a decision depends on. */
export interface DecisionContext {
  playbook: PlaybookDoc;
  safety: SafetyDoc;
  providers: ReadonlyMap<string, ProviderDoc>;
  recent: RecentActions;
  env: Readonly<Record<string, string | undefined>>;
  /** Dry-run regardless of the safety document and the playbook (the `plan` command). */
  forceDryRun?: boolean;
  /** Ignore dry-run settings, to show what a live run does (playbook tests). */
  ignoreDryRun?: boolean;
}

export function templateContext(detection: Detection, playbook: PlaybookDoc, step: Step | undefined, env: DecisionContext['env']): TemplateContext {
  return { detection, env, playbook: { id: playbook.id, name: playbook.name, version: playbook.version }, ...(step && { step: { id: step.id, type: step.type } }) };
}

/** The agent, key or session a step acts on; null when the step has none or the detection lacks it. */
export function stepTarget(step: Step, ctx: TemplateContext): string | null {
  const template = step.type === 'quarantine_agent' ? step.agent : step.type === 'revoke_key' ? step.key : step.type === 'block_session' ? step.session : null;
  if (template === null) return null;
  return renderTemplate(template, ctx, 'text', { secrets: 'redact' }) || null;
}

const TARGET_NAME: Partial<Record<Step['type'], string>> = { quarantine_agent: 'agent_id', revoke_key: 'key_id', block_session: 'session_id' };

/** In order: a target to act on, protection, the blast-radius caps, then dry-run. */
export function decideStep(step: Step, detection: Detection, ctx: DecisionContext): StepDecision {
  const tctx = templateContext(detection, ctx.playbook, step, ctx.env);
  const target = stepTarget(step, tctx);
  const needsTarget = TARGET_NAME[step.type];
  if (needsTarget && target === null) return { kind: 'skipped', reason: `no ${needsTarget} to act on` };
  const protection = target === null ? null : protectedReason(step, target, detection.agent_id, ctx.safety);
  if (protection) return { kind: 'skipped', reason: protection };
  const cap = capReason(step, ctx.safety, ctx.recent);
  if (cap) return { kind: 'skipped', reason: cap };
  const detail = describeStep(step, target, tctx, ctx.providers);
  const dry = ctx.forceDryRun || (!ctx.ignoreDryRun && isDryRun(ctx.safety, ctx.playbook));
  if (dry && SIDE_EFFECT_STEPS.has(step.type)) return { kind: 'dry_run', target, detail: `would ${detail}` };
  return { kind: 'perform', target, detail };
}

export interface PlannedStep {
  id: string;
  type: Step['type'];
  status: StepOutcomeStatus;
  attempts: number;
  /** Delays before each retry, in ms. */
  retry_delays_ms: number[];
  reason?: string;
  detail?: string;
}

export interface PlannedRun {
  playbook_id: string;
  reasons: string[];
  dry_run: boolean;
  result: 'completed' | 'aborted' | 'rate_limited';
  reason?: string;
  steps: PlannedStep[];
}

export interface PlanOptions {
  safety?: SafetyDoc;
  recent?: RecentActions;
  /** Runs of a playbook within `windowMs` (for rate limits); default none. */
  runsWithin?: (playbookId: string, windowMs: number) => number;
  env?: Readonly<Record<string, string | undefined>>;
  /** `force`: everything dry (plan); `ignore`: nothing dry (tests); default as configured. */
  dryRun?: 'as_configured' | 'force' | 'ignore';
  /** Simulated outcome of steps that are performed; default succeeded (approvals: their timeout default). */
  outcomes?: Readonly<Record<string, 'succeeded' | 'failed' | 'approved' | 'rejected'>>;
}

/** Every playbook run a detection starts, played through with simulated outcomes. Touches nothing. */
export function planDetection(set: PlaybookSet, detection: Detection, options: PlanOptions = {}): PlannedRun[] {
  const safety = options.safety ?? set.safety[0]?.doc ?? DEFAULT_SAFETY;
  const recent = { ...(options.recent ?? { revocations: 0, quarantines: 0 }) };
  const providers = new Map(set.providers.map((p) => [p.doc.id, p.doc]));
  const runs: PlannedRun[] = [];
  for (const { playbook, reasons } of matchPlaybooks(set.playbooks, detection)) {
    const ctx: DecisionContext = {
      playbook, safety, providers, recent, env: options.env ?? {},
      forceDryRun: options.dryRun === 'force', ignoreDryRun: options.dryRun === 'ignore',
    };
    const dry = ctx.forceDryRun || (!ctx.ignoreDryRun && isDryRun(safety, playbook));
    const limited = rateLimitReason(rateLimitOf(safety, playbook.id), options.runsWithin?.(playbook.id, rateLimitOf(safety, playbook.id)?.per ?? 0) ?? 0);
    if (limited) {
      runs.push({ playbook_id: playbook.id, reasons, dry_run: dry, result: 'rate_limited', reason: limited, steps: [] });
      continue;
    }
    runs.push({ playbook_id: playbook.id, reasons, dry_run: dry, ...simulate(playbook, detection, ctx, options.outcomes ?? {}) });
  }
  return runs;
}

function simulate(playbook: PlaybookDoc, detection: Detection, ctx: DecisionContext, outcomes: NonNullable<PlanOptions['outcomes']>): Pick<PlannedRun, 'result' | 'reason' | 'steps'> {
  const history: StepRecord[] = [];
  const steps = new Map<string, PlannedStep>();
  // Bounded: each step runs at most its retry attempts (≤ 20) times.
  for (let guard = 0; guard < playbook.steps.length * 21 + 1; guard++) {
    const next = nextStep(playbook, detection, history);
    if (next.action === 'done') return { result: next.result, ...(next.reason && { reason: next.reason }), steps: [...steps.values()] };
    if (next.action === 'wait') break; // cannot happen: the simulation records a final outcome at once
    const planned = steps.get(next.step.id) ?? { id: next.step.id, type: next.step.type, status: 'skipped', attempts: 0, retry_delays_ms: [] };
    steps.set(next.step.id, planned);
    if (next.action === 'skip') {
      record(history, planned, 'skipped', next.reason);
      continue;
    }
    planned.attempts = next.attempt;
    if (next.attempt > 1) planned.retry_delays_ms.push(next.delay_ms);
    const decision = decideStep(next.step, detection, ctx);
    if (decision.kind === 'skipped') {
      record(history, planned, 'skipped', decision.reason);
    } else if (decision.kind === 'dry_run') {
      planned.detail = decision.detail;
      record(history, planned, 'dry_run');
    } else {
      planned.detail = decision.detail;
      const status = outcomes[next.step.id] ?? (next.step.type === 'require_approval' ? next.step.default : 'succeeded');
      if (status === 'succeeded' && next.step.type === 'revoke_key') ctx.recent.revocations++;
      if (status === 'succeeded' && next.step.type === 'quarantine_agent') ctx.recent.quarantines++;
      record(history, planned, status);
    }
  }
  return { result: 'aborted', reason: 'the plan did not finish', steps: [...steps.values()] };
}

function record(history: StepRecord[], planned: PlannedStep, status: StepOutcomeStatus, reason?: string): void {
  history.push({ step: planned.id, status, ...(reason && { reason }) });
  planned.status = status;
  if (reason) planned.reason = reason;
}

/** A detection from a test or a JSON file, with neutral defaults for what it leaves out. */
export function toDetection(input: unknown): Detection {
  return DetectionInput.parse(input) as Detection;
}
