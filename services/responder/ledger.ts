/**
 * What the responder has done: the latest state of every playbook step, keyed by
 * (detection, playbook, step). It is rebuilt on start from runwatch.actions.v1, where every
 * state change is published before and after each side effect, so a responder that crashed
 * mid-playbook and the one that takes over agree on what already happened: a step recorded
 * as done is never run again.
 */
import { createHash } from 'node:crypto';
import type { Action, ActionStatus } from '../shared/records.js';
import type { StepRecord } from './playbooks/sequence.js';

/** States after which a step never runs again. */
export const FINAL_STATUSES: ReadonlySet<ActionStatus> = new Set(['succeeded', 'failed', 'skipped', 'rejected', 'dry_run']);

export function stepKey(detectionId: string, playbookId: string, stepIndex: number): string {
  return `${detectionId}\u0000${playbookId}\u0000${stepIndex}`;
}

/**
 * Deterministic: the same state change published twice (a retried produce, a redelivered
 * detection) is one action id, which the evidence writer stores once.
 */
export function actionId(detectionId: string, playbookId: string, stepIndex: number, status: ActionStatus, attempt: number): string {
  const digest = createHash('sha256').update(`${detectionId}\u0000${playbookId}\u0000${stepIndex}\u0000${status}\u0000${attempt}`).digest('hex');
  return `act_${digest.slice(0, 32)}`;
}

/** Order of progress within one attempt, for records that arrive out of order (different partitions never; retries may). */
const PROGRESS: Record<ActionStatus, number> = {
  pending: 0,
  awaiting_approval: 1,
  approved: 2,
  running: 3,
  succeeded: 4,
  failed: 4,
  skipped: 4,
  rejected: 4,
  dry_run: 4,
};

export class StepLedger {
  private readonly steps = new Map<string, Action>();

  /** Records one state change; an older one (lower attempt, or less progress) never replaces a newer. */
  apply(action: Action): void {
    const key = stepKey(action.detection_id, action.playbook_id, action.step_index);
    const current = this.steps.get(key);
    if (current && (current.attempt > action.attempt || (current.attempt === action.attempt && PROGRESS[current.status] > PROGRESS[action.status]))) return;
    this.steps.set(key, action);
  }

  latest(detectionId: string, playbookId: string, stepIndex: number): Action | undefined {
    return this.steps.get(stepKey(detectionId, playbookId, stepIndex));
  }

  isDone(detectionId: string, playbookId: string, stepIndex: number): boolean {
    const a = this.latest(detectionId, playbookId, stepIndex);
    return a !== undefined && FINAL_STATUSES.has(a.status);
  }

  /**
   * The recorded history of one playbook run, as the step state machine reads it: for each
   * step, one `failed` per earlier attempt, then its latest state.
   */
  history(detectionId: string, playbookId: string, stepIds: readonly string[]): StepRecord[] {
    const out: StepRecord[] = [];
    stepIds.forEach((step, index) => {
      const a = this.latest(detectionId, playbookId, index);
      if (!a) return;
      for (let n = 1; n < a.attempt; n++) out.push({ step, status: 'failed' });
      out.push({ step, status: a.status, ...(a.detail && { reason: a.detail }) });
    });
    return out;
  }

  /** Steps started and not finished: what a restarted responder must resume. */
  unfinished(): Action[] {
    return [...this.steps.values()].filter((a) => !FINAL_STATUSES.has(a.status));
  }

  /** The latest state of every step changed at or after `since` (epoch ms): what caps and rate limits count. */
  recent(since: number): Action[] {
    return [...this.steps.values()].filter((a) => a.ts >= since);
  }

  /** Forgets steps of detections older than `before` (epoch ms): their playbooks ended long ago. */
  prune(before: number): number {
    let n = 0;
    for (const [key, a] of this.steps) {
      if (a.ts < before && FINAL_STATUSES.has(a.status)) {
        this.steps.delete(key);
        n++;
      }
    }
    return n;
  }

  get size(): number {
    return this.steps.size;
  }
}
