/**
 * The containment state a collector enforces: which agents are quarantined, which keys
 * revoked and which sessions blocked, per tenant, as the records of the compacted topic
 * runwatch.containment.v1 say. Applied in offset order (one subject's records share a key,
 * so a partition, so an order): the last record of a subject wins.
 *
 * Expiry needs no record: a containment whose `until` has passed stops counting at that
 * moment on every collector, whatever the responder does later (its tombstone only cleans
 * the topic).
 */
import type { TelemetryEvent } from '../../shared/events/schema.js';
import { containmentKey, type Containment, type SubjectType } from '../../shared/records.js';

/** Why /v1/check denies: a containment of one of the event's subjects, or an inline rule. */
export type DenyReasonType = 'quarantined_agent' | 'revoked_key' | 'blocked_session' | 'inline_rule';

/**
 * One reason of a deny verdict, as /v1/check answers it.
 *
 * @example
 * { type: 'quarantined_agent', subject: 'travel-agent', reason: 'injection then send_email', detection_id: 'det_…', until: '2025-06-01T12:10:00.000Z' }
 */
export interface DenyReason {
  type: DenyReasonType;
  /** The agent id, key id (fingerprint) or session id contained; for `inline_rule`, the rule id. */
  subject: string;
  reason: string;
  detection_id: string | null;
  /** ISO-8601; null = until released (always null for inline rules). */
  until: string | null;
  /** `inline_rule` only. */
  rule_id?: string;
}

export interface Verdict {
  verdict: 'allow' | 'deny';
  reasons: DenyReason[];
}

export const REASON_OF_SUBJECT: Readonly<Record<SubjectType, DenyReasonType>> = {
  agent: 'quarantined_agent',
  key: 'revoked_key',
  session: 'blocked_session',
};

/** The event fields that name each kind of subject. */
const SUBJECT_FIELDS: ReadonlyArray<readonly [SubjectType, 'agent_id' | 'key_id' | 'session_id']> = [
  ['agent', 'agent_id'],
  ['key', 'key_id'],
  ['session', 'session_id'],
];

export class ContainmentState {
  /** Active (not released) containments by `containmentKey`; expired ones linger until swept. */
  private readonly active = new Map<string, Containment>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Applies one record of the topic. `value` null is a tombstone: the subject is forgotten.
   * `key` is the record's key, needed only for tombstones (they carry no value to derive it from).
   */
  apply(key: string | null, value: Containment | null): void {
    if (value === null) {
      if (key !== null) this.active.delete(key);
      return;
    }
    const k = containmentKey(value);
    if (value.state === 'released' || this.expired(value)) this.active.delete(k);
    else this.active.set(k, value);
  }

  /** The containments of the event's agent, key and session that are in force now. */
  containmentsOf(event: Pick<TelemetryEvent, 'tenant' | 'agent_id' | 'key_id' | 'session_id'>): Containment[] {
    if (this.active.size === 0) return [];
    const found: Containment[] = [];
    for (const [subject_type, field] of SUBJECT_FIELDS) {
      const subject_id = event[field];
      if (subject_id === null) continue;
      const c = this.active.get(containmentKey({ subject_type, tenant: event.tenant, subject_id }));
      if (c && !this.expired(c)) found.push(c);
    }
    return found;
  }

  /** Allow, or deny with a reason per containment in force; inline rules are added by the enforcer. */
  verdictFor(event: Pick<TelemetryEvent, 'tenant' | 'agent_id' | 'key_id' | 'session_id'>): Verdict {
    const reasons = this.containmentsOf(event).map(reasonOf);
    return { verdict: reasons.length > 0 ? 'deny' : 'allow', reasons };
  }

  /** Containments in force by subject type (the gauge); drops the expired ones on the way. */
  counts(): Record<SubjectType, number> {
    const counts: Record<SubjectType, number> = { agent: 0, key: 0, session: 0 };
    for (const [k, c] of this.active) {
      if (this.expired(c)) this.active.delete(k);
      else counts[c.subject_type]++;
    }
    return counts;
  }

  /** Every containment in force, of one tenant or (null) all, oldest first: the operator's list. */
  list(tenant: string | null): Containment[] {
    return [...this.active.values()].filter((c) => !this.expired(c) && (tenant === null || c.tenant === tenant)).sort((a, b) => a.since - b.since);
  }

  /** Containments whose `until` has passed but were not yet forgotten (the responder tombstones them). */
  expiredOnes(): Containment[] {
    return [...this.active.values()].filter((c) => this.expired(c));
  }

  private expired(c: Containment): boolean {
    return c.until !== null && c.until <= this.now();
  }
}

export function reasonOf(c: Containment): DenyReason {
  return {
    type: REASON_OF_SUBJECT[c.subject_type],
    subject: c.subject_id,
    reason: c.reason,
    detection_id: c.detection_id,
    until: c.until === null ? null : new Date(c.until).toISOString(),
  };
}
