/**
 * The step state machine of one playbook run. Pure: given the playbook, the detection and the
 * history of step outcomes so far, `nextStep` says what happens next. The responder records
 * each answer (an action row) and asks again; nothing else is remembered, so a restarted
 * responder resumes a run from its recorded history.
 *
 * The rules, in order, for the first step without a final outcome:
 * - no record yet: its `when:` is false → `skip`; else `run` (attempt 1).
 * - `running` / `awaiting_approval` last: `wait` (the step is in flight).
 * - `failed` last, by `on_error`:
 *   - `abort`: the run ends, `aborted`; later steps do not run.
 *   - `continue`: go on to the next step as if it had finished; its `failed` outcome stays
 *     visible to later `when: { step, status: failed }`.
 *   - `retry`: `run` again with attempt n+1 after `backoffDelay` while attempts remain; then
 *     `retry.then` (abort by default, or continue, as above).
 * - `rejected` last (a `require_approval` nobody approved): an error like `failed`, but it is
 *   never retried: `on_error: continue` goes on, anything else aborts.
 * - `succeeded`, `approved`, `skipped`, `dry_run`: done, next step.
 * When every step is done the run is `completed`.
 */
import type { ActionStatus, Detection } from '../../shared/records.js';
import { whenHolds } from './match.js';
import type { PlaybookDoc, Retry, Step, StepOutcomeStatus } from './schema.js';

/** One recorded state change of a step (the responder's action rows, in order). */
export interface StepRecord {
  step: string;
  status: ActionStatus;
  reason?: string;
}

export type NextStep =
  | { action: 'run'; index: number; step: Step; attempt: number; delay_ms: number }
  | { action: 'skip'; index: number; step: Step; reason: string }
  | { action: 'wait'; index: number; step: Step }
  | { action: 'done'; result: 'completed' | 'aborted'; reason?: string };

const DEFAULT_RETRY: Retry = { attempts: 3, backoff: { initial: 1000, factor: 2, max: 60_000 }, then: 'abort' };

/** The delay before `attempt` (2 = the first retry): `min(max, initial * factor^(attempt-2))`. */
export function backoffDelay(retry: Retry, attempt: number): number {
  if (attempt <= 1) return 0;
  const { initial, factor, max } = retry.backoff;
  return Math.min(max, Math.round(initial * factor ** (attempt - 2)));
}

const FINAL_OK: ReadonlySet<ActionStatus> = new Set(['succeeded', 'approved', 'skipped', 'dry_run']);

export function nextStep(playbook: PlaybookDoc, detection: Detection, history: readonly StepRecord[]): NextStep {
  const outcomes = new Map<string, StepOutcomeStatus>();
  for (const [index, step] of playbook.steps.entries()) {
    const records = history.filter((r) => r.step === step.id);
    const last = records.at(-1);
    if (!last) {
      if (step.when && !whenHolds(step.when, detection, outcomes)) return { action: 'skip', index, step, reason: 'when: is false' };
      return { action: 'run', index, step, attempt: 1, delay_ms: 0 };
    }
    if (FINAL_OK.has(last.status)) {
      outcomes.set(step.id, last.status as StepOutcomeStatus);
      continue;
    }
    if (last.status === 'failed' || last.status === 'rejected') {
      const failures = records.filter((r) => r.status === 'failed').length;
      const retry = step.retry ?? DEFAULT_RETRY;
      if (last.status === 'failed' && step.on_error === 'retry' && failures < retry.attempts) {
        const attempt = failures + 1;
        return { action: 'run', index, step, attempt, delay_ms: backoffDelay(retry, attempt) };
      }
      const then = step.on_error === 'retry' && last.status === 'failed' ? retry.then : step.on_error;
      if (then !== 'continue') {
        const why = last.status === 'rejected' ? 'was rejected' : step.on_error === 'retry' ? `failed ${failures} time(s)` : 'failed';
        return { action: 'done', result: 'aborted', reason: `step ${step.id} ${why}${last.reason ? `: ${last.reason}` : ''}` };
      }
      outcomes.set(step.id, last.status);
      continue;
    }
    return { action: 'wait', index, step }; // pending, running, awaiting_approval
  }
  return { action: 'done', result: 'completed' };
}
