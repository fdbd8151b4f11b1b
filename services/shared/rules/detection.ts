/**
 * Building detection records. The id is a hash of (rule, version, group key, first event),
 * so the same match found again — a replayed window, a batch re-processed after a crash —
 * carries the same id, and every consumer can drop the repeat.
 */
import { createHash } from 'node:crypto';
import type { TelemetryEvent } from '../events/schema.js';
import type { Detection, EvidenceSpan } from '../records.js';
import type { CompiledRule, EvalContext } from './compile.js';
import { asText, compilePath } from './fields.js';

export function detectionId(ruleId: string, version: number, groupKey: string, firstEventId: string): string {
  return `det_${createHash('sha256').update(`${ruleId}\u0000${version}\u0000${groupKey}\u0000${firstEventId}`).digest('hex').slice(0, 32)}`;
}

export interface MatchedEvent {
  event: TelemetryEvent;
  ctx: EvalContext;
}

export function buildDetection(rule: CompiledRule, groupKey: string, matched: MatchedEvent[], now: number, suppressed: number): Detection {
  const first = matched[0]!.event;
  const last = matched[matched.length - 1]!.event;
  const pick = <K extends 'agent_id' | 'session_id' | 'key_id' | 'user_id'>(k: K) => [...matched].reverse().find((m) => m.event[k] !== null)?.event[k] ?? null;
  return {
    detection_id: detectionId(rule.doc.id, rule.doc.version, groupKey, first.event_id),
    rule_id: rule.doc.id,
    rule_version: rule.doc.version,
    severity: rule.doc.severity,
    ts: last.ts,
    detected_at: now,
    tenant: first.tenant,
    agent_id: pick('agent_id'),
    session_id: pick('session_id'),
    key_id: pick('key_id'),
    user_id: pick('user_id'),
    group_key: groupKey,
    event_ids: matched.map((m) => m.event.event_id),
    window_start: Math.min(...matched.map((m) => m.event.ts)),
    window_end: Math.max(...matched.map((m) => m.event.ts)),
    summary: renderSummary(rule, last),
    tags: rule.doc.tags,
    playbooks: rule.doc.playbooks,
    evidence: evidenceOf(rule, matched),
    suppressed_count: suppressed,
  };
}

/** The findings of the detectors the rule used, from the events of the match, strongest first. */
function evidenceOf(rule: CompiledRule, matched: MatchedEvent[]): EvidenceSpan[] {
  const spans: EvidenceSpan[] = [];
  for (const { event, ctx } of matched) {
    for (const use of rule.detectors) {
      for (const f of ctx.detect(use.name).findings) {
        if (f.score < use.minScore || (use.labels && !use.labels.has(f.label))) continue;
        spans.push({ event_id: event.event_id, detector: f.detector, field: f.field, start: f.start, end: f.end, score: f.score, label: f.label });
      }
    }
  }
  return spans.sort((a, b) => b.score - a.score).slice(0, 50);
}

const TEMPLATE = /\{\{\s*([\w.[\]]+)\s*\}\}/g;

function renderSummary(rule: CompiledRule, event: TelemetryEvent): string {
  const template = rule.doc.summary ?? rule.doc.name;
  return template.replace(TEMPLATE, (_, path: string) => {
    const values = compilePath(path)(event);
    return values.length === 0 ? '' : asText(values[0]).slice(0, 200);
  });
}
