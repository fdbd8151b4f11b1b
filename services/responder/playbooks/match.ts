/**
 * Which playbooks apply to a detection, and whether a step's `when:` holds. Pure functions
 * over the detection (and the outcomes of earlier steps), so the planner, the tests and the
 * responder agree on every decision.
 */
import type { Detection } from '../../shared/records.js';
import type { Sourced } from './load.js';
import { MATCH_FIELDS, type FieldTest, type Match, type PlaybookDoc, type StepOutcomeStatus, type When } from './schema.js';

const globCache = new Map<string, RegExp>();

/** `rw.abuse.key_*` matches `rw.abuse.key_many_ips`; without `*` it is plain equality. */
export function matchesGlob(pattern: string, value: string): boolean {
  if (!pattern.includes('*')) return pattern === value;
  let re = globCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    globCache.set(pattern, re);
  }
  return re.test(value);
}

export const matchesAnyGlob = (patterns: readonly string[], value: string): boolean => patterns.some((p) => matchesGlob(p, value));

function fieldHolds(test: FieldTest, value: string | null): boolean {
  if (typeof test === 'object' && !Array.isArray(test)) return test.exists === (value !== null && value !== '');
  if (value === null) return false;
  return matchesAnyGlob(typeof test === 'string' ? [test] : test, value);
}

/**
 * Why the detection meets the criteria (one reason per criterion), or null when one fails.
 * An empty `match: {}` meets every detection.
 */
export function criteriaReasons(criteria: Match, d: Detection): string[] | null {
  const reasons: string[] = [];
  if (criteria.rules) {
    const hit = criteria.rules.find((p) => matchesGlob(p, d.rule_id));
    if (hit === undefined) return null;
    reasons.push(`rule ${d.rule_id} matches ${hit}`);
  }
  if (criteria.tags) {
    const hit = criteria.tags.find((p) => d.tags.some((t) => matchesGlob(p, t)));
    if (hit === undefined) return null;
    reasons.push(`tags match ${hit}`);
  }
  if (criteria.severity) {
    if (!criteria.severity.includes(d.severity)) return null;
    reasons.push(`severity ${d.severity} is one of ${criteria.severity.join(', ')}`);
  }
  for (const field of MATCH_FIELDS) {
    const test = criteria.fields?.[field];
    if (test === undefined) continue;
    const value = d[field] ?? null;
    if (!fieldHolds(test, value)) return null;
    reasons.push(typeof test === 'object' && !Array.isArray(test) ? `${field} ${test.exists ? 'is set' : 'is not set'}` : `${field} ${value} matches`);
  }
  return reasons.length > 0 ? reasons : ['match: {} (every detection)'];
}

/** A playbook that applies to a detection, and why. */
export interface PlaybookMatch {
  playbook: PlaybookDoc;
  reasons: string[];
}

/**
 * The playbooks that run for a detection, in order: first those its rule names in
 * `playbooks:` (in the rule's order), then those whose `match:` holds (in file order).
 * Disabled playbooks never run; `fallback: true` ones only when nothing else applies.
 */
export function matchPlaybooks(playbooks: ReadonlyArray<Sourced<PlaybookDoc>>, d: Detection): PlaybookMatch[] {
  const enabled = playbooks.map((p) => p.doc).filter((p) => p.enabled);
  const out: PlaybookMatch[] = [];
  for (const id of d.playbooks) {
    const playbook = enabled.find((p) => p.id === id);
    if (playbook && !out.some((m) => m.playbook.id === id)) out.push({ playbook, reasons: [`rule ${d.rule_id} names it in playbooks:`] });
  }
  for (const playbook of enabled) {
    if (!playbook.match) continue;
    const reasons = criteriaReasons(playbook.match, d);
    if (!reasons) continue;
    const named = out.find((m) => m.playbook.id === playbook.id);
    if (named) named.reasons.push(...reasons);
    else out.push({ playbook, reasons });
  }
  const primary = out.filter((m) => !m.playbook.fallback);
  return primary.length > 0 ? primary : out;
}

/**
 * Whether a step's `when:` holds. A `dry_run` outcome counts as `succeeded` and `approved`
 * (a dry run shows the path a real run takes when everything goes through).
 */
export function whenHolds(when: When, d: Detection, outcomes: ReadonlyMap<string, StepOutcomeStatus>): boolean {
  const { step, status, all, any, not, ...criteria } = when;
  if (Object.keys(criteria).length > 0 && criteriaReasons(criteria, d) === null) return false;
  if (step !== undefined && status !== undefined) {
    const actual = outcomes.get(step);
    if (actual === undefined) return false;
    const dryPass = actual === 'dry_run' && (status.includes('succeeded') || status.includes('approved'));
    if (!status.includes(actual) && !dryPass) return false;
  }
  if (all && !all.every((w) => whenHolds(w, d, outcomes))) return false;
  if (any && !any.some((w) => whenHolds(w, d, outcomes))) return false;
  if (not && whenHolds(not, d, outcomes)) return false;
  return true;
}
