/**
 * Safety decisions, as pure functions the planner and the responder share: protected agents
 * and keys are never touched, blast-radius caps bound how many keys and agents a burst of
 * detections can take out per hour, and per-playbook rate limits bound how often one runs.
 * Each returns null (go ahead) or the reason the step or run is skipped.
 */
import { matchesAnyGlob } from './match.js';
import type { RateLimit, SafetyDoc, Step } from './schema.js';

/** Actions of the last hour, per tenant, that the caps count (the responder keeps the counts). */
export interface RecentActions {
  revocations: number;
  quarantines: number;
}

/** Protected agents (their quarantine and their sessions' blocks) and protected keys. */
export function protectedReason(step: Step, target: string, agentId: string | null, safety: SafetyDoc): string | null {
  if (step.type === 'quarantine_agent' && matchesAnyGlob(safety.protected_agents, target)) return `protected agent ${target}`;
  if (step.type === 'block_session' && agentId !== null && matchesAnyGlob(safety.protected_agents, agentId)) return `session of protected agent ${agentId}`;
  if (step.type === 'revoke_key' && matchesAnyGlob(safety.protected_keys, target)) return `protected key ${target}`;
  return null;
}

/** The blast-radius cap: a step that would go past the hourly maximum is skipped. */
export function capReason(step: Step, safety: SafetyDoc, recent: RecentActions): string | null {
  if (step.type === 'revoke_key' && recent.revocations >= safety.max_revocations_per_hour) {
    return `blast radius cap: ${recent.revocations} revocation(s) in the last hour (max ${safety.max_revocations_per_hour})`;
  }
  if (step.type === 'quarantine_agent' && recent.quarantines >= safety.max_quarantines_per_hour) {
    return `blast radius cap: ${recent.quarantines} quarantine(s) in the last hour (max ${safety.max_quarantines_per_hour})`;
  }
  return null;
}

/** The rate limit of a playbook: its own entry, else the default, else none. */
export function rateLimitOf(safety: SafetyDoc, playbookId: string): RateLimit | undefined {
  return safety.rate_limit.playbooks[playbookId] ?? safety.rate_limit.default;
}

/** `runs` = runs of the playbook (in the tenant) within the limit's `per` window. */
export function rateLimitReason(limit: RateLimit | undefined, runs: number): string | null {
  if (!limit || runs < limit.max) return null;
  return `rate limit: ${runs} run(s) within ${limit.per / 1000}s (max ${limit.max})`;
}

/** Dry-run applies when the safety document or the playbook says so. */
export const isDryRun = (safety: SafetyDoc, playbook: { dry_run: boolean }): boolean => safety.dry_run || playbook.dry_run;
