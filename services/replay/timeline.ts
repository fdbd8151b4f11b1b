/**
 * An incident's timeline: a detection and the events around it. The events are those of its
 * session (or agent) from `context` before its window to `context` after, plus every
 * evidence event wherever it is (a rule grouped by key can match events of other sessions),
 * in time order, each marked as evidence or context, evidence with the detector findings.
 */
import { evidenceEvents, getDetection, incidentEvents, type Scope } from '../evidence/read.js';
import type { Finding } from '../shared/detectors/types.js';
import { NotFoundError } from '../shared/errors.js';
import type { TelemetryEvent } from '../shared/events/schema.js';
import type { Detection } from '../shared/records.js';
import type { Store } from '../shared/store/clickhouse.js';

export interface TimelineEvent extends TelemetryEvent {
  /** One of the detection's `event_ids`. */
  evidence: boolean;
  /** The detection's findings in this event (empty for context events). */
  findings: Finding[];
}

export interface Timeline {
  detection: Detection;
  /** The margin around the window, ms. */
  context_ms: number;
  events: TimelineEvent[];
  /** True when the context held more than `limit` events and the rest were left out. */
  truncated: boolean;
}

/** Most context events one timeline reads (the operator API's timeline uses the same). */
export const TIMELINE_LIMIT = 10_000;

export async function buildTimeline(store: Store, scope: Scope, detectionId: string, contextMs: number, limit = TIMELINE_LIMIT): Promise<Timeline> {
  const detection = await getDetection(store, scope, detectionId);
  if (!detection) throw new NotFoundError(`no detection ${detectionId}${scope.tenant === null ? '' : ` in tenant ${scope.tenant}`}`);
  const [context, evidence] = await Promise.all([incidentEvents(store, detection, contextMs, limit), evidenceEvents(store, detection)]);
  const byId = new Map<string, TelemetryEvent>();
  for (const e of [...context, ...evidence]) byId.set(e.event_id, e);
  const evidenceIds = new Set(detection.event_ids);
  const events = [...byId.values()].sort(byTime).map((e) => ({
    ...e,
    evidence: evidenceIds.has(e.event_id),
    findings: detection.evidence.filter((f) => f.event_id === e.event_id).map(({ event_id: _, ...finding }) => finding),
  }));
  return { detection, context_ms: contextMs, events, truncated: context.length >= limit };
}

/** The store's order: event time, then id. */
function byTime(a: TelemetryEvent, b: TelemetryEvent): number {
  return a.ts - b.ts || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);
}
