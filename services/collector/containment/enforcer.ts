/**
 * The collector's enforcement point: the verdict /v1/check answers for a proposed action, and
 * the mark /v1/events puts on what a contained agent, key or session still sends. Both come
 * from local state only (no network on the way), so a verdict takes microseconds.
 */
import type { TelemetryEvent } from '../../shared/events/schema.js';
import type { InlineRules } from './inline.js';
import { REASON_OF_SUBJECT, type ContainmentState, type Verdict } from './state.js';

/**
 * Attribute set on accepted events whose agent, key or session is contained: the reason
 * types, comma-separated (`quarantined_agent`, `quarantined_agent,revoked_key`). Events of a
 * contained subject are still accepted and stored: they are the evidence of what it tried.
 */
export const CONTAINED_ATTRIBUTE = 'runwatch.contained';

export class Enforcer {
  constructor(
    readonly state: ContainmentState,
    private readonly inline: InlineRules | null,
  ) {}

  /** Deny when a subject of the event is contained or an inline rule matches it; else allow. */
  check(event: TelemetryEvent): Verdict {
    const reasons = [...this.state.verdictFor(event).reasons, ...(this.inline?.reasonsFor(event) ?? [])];
    return { verdict: reasons.length > 0 ? 'deny' : 'allow', reasons };
  }

  /**
   * The event as it is stored: marked when contained. The attribute is the collector's to
   * set, so one an app sent itself is dropped (a contained agent must not look clean, nor a
   * clean one contained).
   */
  mark(event: TelemetryEvent): TelemetryEvent {
    const types = this.state.containmentsOf(event).map((c) => REASON_OF_SUBJECT[c.subject_type]);
    if (types.length === 0 && !(CONTAINED_ATTRIBUTE in event.attributes)) return event;
    const { [CONTAINED_ATTRIBUTE]: _sent, ...attributes } = event.attributes;
    if (types.length > 0) attributes[CONTAINED_ATTRIBUTE] = types.join(',');
    return { ...event, attributes };
  }
}
