/**
 * Stored detections against the detections a rule set produces over the same events,
 * compared by detection id (a hash of rule, version, group key and first event: the same
 * match always has the same id). Memory grows with the number of detections, never with the
 * number of events: stored ones are held as small references until matched.
 */
import type { Detection } from '../shared/records.js';

/** What a report lists of a detection. */
export interface DetectionRef {
  detection_id: string;
  rule_id: string;
  rule_version: number;
  severity: Detection['severity'];
  ts: number;
  tenant: string;
  agent_id: string | null;
  session_id: string | null;
  summary: string;
}

export interface RuleCounts {
  rule_id: string;
  /** Produced by the rules, not stored. */
  new: number;
  /** Stored, not produced (a removed, changed or disabled rule, or a match it no longer makes). */
  missing: number;
  /** Stored and produced. */
  unchanged: number;
}

export interface DiffResult {
  totals: Omit<RuleCounts, 'rule_id'>;
  by_rule: RuleCounts[];
  new: DetectionRef[];
  missing: DetectionRef[];
}

export class DetectionDiff {
  /** Stored and not matched yet. */
  private readonly unmatched = new Map<string, DetectionRef>();
  private readonly matched = new Set<string>();
  private readonly produced = new Map<string, DetectionRef>();
  private readonly unchanged = new Map<string, number>();

  addStored(d: Detection): void {
    if (!this.matched.has(d.detection_id)) this.unmatched.set(d.detection_id, refOf(d));
  }

  /** Call after every stored detection was added. */
  addProduced(d: Detection): void {
    const id = d.detection_id;
    if (this.matched.has(id) || this.produced.has(id)) return;
    if (this.unmatched.delete(id)) {
      this.matched.add(id);
      this.unchanged.set(d.rule_id, (this.unchanged.get(d.rule_id) ?? 0) + 1);
    } else {
      this.produced.set(id, refOf(d));
    }
  }

  result(): DiffResult {
    const fresh = [...this.produced.values()].sort(byTime);
    const missing = [...this.unmatched.values()].sort(byTime);
    const rules = new Map<string, RuleCounts>();
    const counts = (rule_id: string) => rules.get(rule_id) ?? rules.set(rule_id, { rule_id, new: 0, missing: 0, unchanged: 0 }).get(rule_id)!;
    for (const d of fresh) counts(d.rule_id).new++;
    for (const d of missing) counts(d.rule_id).missing++;
    for (const [rule_id, n] of this.unchanged) counts(rule_id).unchanged = n;
    const by_rule = [...rules.values()].sort((a, b) => (a.rule_id < b.rule_id ? -1 : 1));
    return {
      totals: { new: fresh.length, missing: missing.length, unchanged: this.matched.size },
      by_rule,
      new: fresh,
      missing,
    };
  }
}

function refOf(d: Detection): DetectionRef {
  return {
    detection_id: d.detection_id,
    rule_id: d.rule_id,
    rule_version: d.rule_version,
    severity: d.severity,
    ts: d.ts,
    tenant: d.tenant,
    agent_id: d.agent_id,
    session_id: d.session_id,
    summary: d.summary,
  };
}

function byTime(a: DetectionRef, b: DetectionRef): number {
  return a.ts - b.ts || (a.detection_id < b.detection_id ? -1 : 1);
}
