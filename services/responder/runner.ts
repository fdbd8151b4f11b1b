/**
 * Runs one playbook for one detection, from wherever its recorded history stands, until it is
 * done or waits for an operator. Each step goes: decide (target, protection, caps, dry-run),
 * record `running`, perform, record the outcome. Recording means publishing the action to
 * runwatch.actions.v1 (and into the ledger) before going on, so a responder killed at any
 * point resumes from the last recorded state: a step recorded as done is never performed
 * again, and a step caught `running` is performed again with the same idempotency key.
 */
import type { Action, ActionStatus, Detection } from '../shared/records.js';
import { StepFailedError, type Effects } from './effects.js';
import { actionId, type StepLedger } from './ledger.js';
import { TemplateError } from './playbooks/errors.js';
import { decideStep, nextStep, templateContext, type DecisionContext } from './playbooks/plan.js';
import { notifyRequest, revokeRequest } from './playbooks/requests.js';
import { renderTemplate } from './playbooks/template.js';
import type { PlaybookDoc, Step } from './playbooks/schema.js';

export type RunOutcome = 'completed' | 'aborted' | 'waiting';

export interface RunnerDeps {
  ledger: StepLedger;
  effects: Effects;
  /** Publishes a state change (to runwatch.actions.v1) and applies it to the ledger. */
  record(action: Action): Promise<void>;
  /** Everything a step decision needs besides the detection, for this playbook. */
  decisionContext(playbook: PlaybookDoc, detection: Detection): DecisionContext;
  /** Copies the detection's evidence somewhere retention does not reach; returns what it kept. */
  snapshot?(detection: Detection, contextMs: number): Promise<string>;
  now(): number;
  sleep(ms: number): Promise<void>;
  actor: string;
}

export async function runPlaybook(playbook: PlaybookDoc, detection: Detection, deps: RunnerDeps): Promise<RunOutcome> {
  const stepIds = playbook.steps.map((s) => s.id);
  // Bounded: every pass records a state change, and each step has at most 20 attempts.
  for (let guard = 0; guard < playbook.steps.length * 64 + 1; guard++) {
    const history = deps.ledger.history(detection.detection_id, playbook.id, stepIds);
    const next = nextStep(playbook, detection, history);
    if (next.action === 'done') return next.result;
    const latest = deps.ledger.latest(detection.detection_id, playbook.id, next.index);
    if (next.action === 'skip') {
      await record(deps, playbook, detection, next.index, next.step, 'skipped', 1, null, next.reason);
      continue;
    }
    if (next.action === 'wait') {
      // An approval waits for an operator (or its timeout); anything else caught `running` was
      // in flight when a responder died: perform it again, same attempt, same idempotency key.
      if (latest?.status !== 'running') return 'waiting';
      await perform(playbook, detection, next.index, next.step, latest.attempt, deps);
      continue;
    }
    if (next.delay_ms > 0) await deps.sleep(next.delay_ms);
    await perform(playbook, detection, next.index, next.step, next.attempt, deps);
  }
  return 'aborted';
}

async function perform(playbook: PlaybookDoc, detection: Detection, index: number, step: Step, attempt: number, deps: RunnerDeps): Promise<void> {
  const ctx = deps.decisionContext(playbook, detection);
  const decision = decideStep(step, detection, ctx);
  if (decision.kind === 'skipped') return record(deps, playbook, detection, index, step, 'skipped', attempt, null, decision.reason);
  if (decision.kind === 'dry_run') return record(deps, playbook, detection, index, step, 'dry_run', attempt, decision.target, decision.detail, true);
  if (step.type === 'require_approval') {
    const deadline = new Date(deps.now() + step.timeout).toISOString();
    return record(deps, playbook, detection, index, step, 'awaiting_approval', attempt, null, `${decision.detail}; decided ${step.default} at ${deadline} without an answer`);
  }
  const unset = step.type === 'notify' ? unsetWebhook(step, detection, ctx) : null;
  if (unset) return record(deps, playbook, detection, index, step, 'skipped', attempt, null, unset);
  await record(deps, playbook, detection, index, step, 'running', attempt, decision.target, decision.detail);
  try {
    const detail = await effect(step, detection, decision.target, ctx, deps, stepKeyOf(detection, playbook, index, attempt));
    await record(deps, playbook, detection, index, step, 'succeeded', attempt, decision.target, detail ?? decision.detail);
  } catch (err) {
    // A template naming an unset variable fails the step like an unreachable webhook: on_error decides.
    if (!(err instanceof StepFailedError) && !(err instanceof TemplateError)) throw err;
    await record(deps, playbook, detection, index, step, 'failed', attempt, decision.target, err.message);
  }
}

/** The side effect itself; returns a detail for the action row when there is more to say. */
async function effect(step: Step, detection: Detection, target: string | null, ctx: DecisionContext, deps: RunnerDeps, idempotencyKey: string): Promise<string | void> {
  const now = deps.now();
  const tctx = templateContext(detection, ctx.playbook, step, ctx.env);
  const contain = (subject_type: 'agent' | 'key' | 'session', state: 'quarantined' | 'revoked' | 'blocked', until: number | null) =>
    deps.effects.contain({
      subject_type, subject_id: target!, tenant: detection.tenant, state, reason: `${detection.rule_id}: ${detection.summary}`,
      detection_id: detection.detection_id, since: now, until, actor: deps.actor, updated_at: now,
    });
  switch (step.type) {
    case 'quarantine_agent':
      return contain('agent', 'quarantined', now + step.duration);
    case 'block_session':
      return contain('session', 'blocked', step.duration === undefined ? null : now + step.duration);
    case 'revoke_key': {
      const provider = ctx.providers.get(step.provider);
      if (!provider) throw new StepFailedError(`no provider ${step.provider}`);
      if (provider.type === 'http') await deps.effects.send(revokeRequest(provider, tctx), idempotencyKey);
      // Either way every collector learns it: the key is denied at /v1/check from now on.
      return contain('key', 'revoked', null);
    }
    case 'notify':
      return deps.effects.send(notifyRequest(step, tctx, now), idempotencyKey);
    case 'snapshot_evidence':
      if (!deps.snapshot) throw new StepFailedError('no evidence store to snapshot from');
      return deps.snapshot(detection, step.context);
    case 'require_approval':
      return; // recorded as awaiting_approval by perform(); never an effect
  }
}

/** A notify whose webhook URL names an unset variable: no webhook is configured, so there is nobody to tell. */
function unsetWebhook(step: Extract<Step, { type: 'notify' }>, detection: Detection, ctx: DecisionContext): string | null {
  try {
    renderTemplate(step.url, templateContext(detection, ctx.playbook, step, ctx.env), 'url');
    return null;
  } catch (err) {
    if (!(err instanceof TemplateError)) throw err;
    return `no webhook configured (${err.message})`;
  }
}

function stepKeyOf(detection: Detection, playbook: PlaybookDoc, index: number, attempt: number): string {
  return `${detection.detection_id}:${playbook.id}:${index}:${attempt}`;
}

/** Publishes one state change of a step and applies it to the ledger. */
export async function record(
  deps: Pick<RunnerDeps, 'record' | 'now' | 'actor'>,
  playbook: PlaybookDoc,
  detection: Detection,
  index: number,
  step: Step,
  status: ActionStatus,
  attempt: number,
  target: string | null,
  detail: string,
  dryRun = false,
  actor = deps.actor,
): Promise<void> {
  await deps.record({
    action_id: actionId(detection.detection_id, playbook.id, index, status, attempt),
    detection_id: detection.detection_id,
    playbook_id: playbook.id,
    step_index: index,
    step: step.type,
    status,
    attempt,
    ts: deps.now(),
    tenant: detection.tenant,
    target,
    dry_run: dryRun,
    actor,
    detail,
  });
}
