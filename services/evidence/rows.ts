/**
 * Records ↔ ClickHouse rows of the evidence tables (schemas/clickhouse). Writing, a record
 * becomes a row of plain JSON values (JSONEachRow); reading, a row becomes the record again,
 * exactly what went in (after redaction): events from their stored `event` JSON, detections
 * and actions from their columns ('' back to null).
 */
import { DecodeError } from '../shared/errors.js';
import type { TelemetryEvent } from '../shared/events/schema.js';
import type { Action, Detection, EvidenceSpan, Severity } from '../shared/records.js';

export const TABLES = { events: 'events', detections: 'detections', actions: 'actions', audit: 'audit' } as const;
export type TableName = (typeof TABLES)[keyof typeof TABLES];

/** The column that identifies a row of each table: the writer never stores an id twice. */
export const ID_COLUMN: Record<Exclude<TableName, 'audit'>, string> = {
  events: 'event_id',
  detections: 'detection_id',
  actions: 'action_id',
};

export type Row = Record<string, unknown>;

/** DateTime64(3) holds 1900..2299; the contract takes any epoch ms. The `event` JSON keeps the original. */
const LATEST_STORABLE_MS = Date.UTC(2299, 11, 31);

export function storableTs(ms: number): number {
  return Math.min(Math.max(ms, 0), LATEST_STORABLE_MS);
}

const UINT16_MAX = 0xffff;
const UINT32_MAX = 0xffff_ffff;

/**
 * A value for an unsigned column. Avro ints and longs may be negative or larger than the column:
 * services never write such records, but a record from elsewhere that did would make ClickHouse
 * refuse the whole insert, retried forever (the writer's stall). A DecodeError dead-letters it.
 */
function unsigned(field: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 0 || value > max) throw new DecodeError(`${field}: ${value} does not fit its column (0..${max})`);
  return value;
}

export function eventRow(event: TelemetryEvent, redactions: number): Row {
  const call = event.tool_call;
  return {
    event_id: event.event_id,
    ts: storableTs(event.ts),
    received_at: storableTs(event.received_at),
    tenant: event.tenant,
    app: event.app ?? '',
    env: event.env ?? '',
    agent_id: event.agent_id ?? '',
    session_id: event.session_id ?? '',
    trace_id: event.trace_id ?? '',
    span_id: event.span_id ?? '',
    parent_span_id: event.parent_span_id ?? '',
    user_id: event.user_id ?? '',
    key_id: event.key_id ?? '',
    source_ip: event.source_ip ?? '',
    kind: event.kind,
    model: event.model ?? '',
    provider: event.provider ?? '',
    prompt_text: event.prompt?.messages.map((m) => `${m.role}: ${m.content}`).join('\n') ?? '',
    output_text: event.output?.text ?? '',
    finish_reason: event.output?.finish_reason ?? '',
    input_tokens: event.output?.usage ? unsigned('output.usage.input_tokens', event.output.usage.input_tokens) : null,
    output_tokens: event.output?.usage ? unsigned('output.usage.output_tokens', event.output.usage.output_tokens) : null,
    retrieval_query: event.retrieval?.query ?? '',
    document_ids: event.retrieval?.documents.map((d) => d.id) ?? [],
    document_sources: event.retrieval?.documents.map((d) => d.source ?? '') ?? [],
    tool_name: call?.name ?? '',
    tool_call_id: call?.call_id ?? '',
    tool_arguments: call ? JSON.stringify(call.arguments) : '',
    tool_result: call?.result ?? '',
    tool_status: call?.status ?? '',
    tool_target: call?.target ?? '',
    attributes: event.attributes,
    redactions,
    event: JSON.stringify(event),
  };
}

export function detectionRow(d: Detection): Row {
  return {
    detection_id: d.detection_id,
    rule_id: d.rule_id,
    rule_version: unsigned('rule_version', d.rule_version, UINT32_MAX),
    severity: d.severity,
    ts: storableTs(d.ts),
    detected_at: storableTs(d.detected_at),
    tenant: d.tenant,
    agent_id: d.agent_id ?? '',
    session_id: d.session_id ?? '',
    key_id: d.key_id ?? '',
    user_id: d.user_id ?? '',
    group_key: d.group_key,
    event_ids: d.event_ids,
    window_start: storableTs(d.window_start),
    window_end: storableTs(d.window_end),
    summary: d.summary,
    tags: d.tags,
    playbooks: d.playbooks,
    evidence: JSON.stringify(d.evidence),
    suppressed_count: unsigned('suppressed_count', d.suppressed_count, UINT32_MAX),
  };
}

export function actionRow(a: Action): Row {
  return { ...a, step_index: unsigned('step_index', a.step_index, UINT16_MAX), attempt: unsigned('attempt', a.attempt, UINT16_MAX), target: a.target ?? '' };
}

/** Columns to select so that `detectionFromRow` gets epoch milliseconds, not date strings. */
export const DETECTION_COLUMNS = `detection_id, rule_id, rule_version, severity,
  toUnixTimestamp64Milli(ts) AS ts, toUnixTimestamp64Milli(detected_at) AS detected_at, tenant, agent_id,
  session_id, key_id, user_id, group_key, event_ids, toUnixTimestamp64Milli(window_start) AS window_start,
  toUnixTimestamp64Milli(window_end) AS window_end, summary, tags, playbooks, evidence, suppressed_count`;

export interface DetectionRow {
  detection_id: string;
  rule_id: string;
  rule_version: number;
  severity: string;
  ts: string | number;
  detected_at: string | number;
  tenant: string;
  agent_id: string;
  session_id: string;
  key_id: string;
  user_id: string;
  group_key: string;
  event_ids: string[];
  window_start: string | number;
  window_end: string | number;
  summary: string;
  tags: string[];
  playbooks: string[];
  evidence: string;
  suppressed_count: number;
}

export function detectionFromRow(r: DetectionRow): Detection {
  return {
    detection_id: r.detection_id,
    rule_id: r.rule_id,
    rule_version: Number(r.rule_version),
    severity: r.severity as Severity,
    ts: Number(r.ts),
    detected_at: Number(r.detected_at),
    tenant: r.tenant,
    agent_id: r.agent_id || null,
    session_id: r.session_id || null,
    key_id: r.key_id || null,
    user_id: r.user_id || null,
    group_key: r.group_key,
    event_ids: r.event_ids,
    window_start: Number(r.window_start),
    window_end: Number(r.window_end),
    summary: r.summary,
    tags: r.tags,
    playbooks: r.playbooks,
    evidence: JSON.parse(r.evidence) as EvidenceSpan[],
    suppressed_count: Number(r.suppressed_count),
  };
}

export const ACTION_COLUMNS = `action_id, detection_id, playbook_id, step_index, step, status, attempt,
  toUnixTimestamp64Milli(ts) AS ts, tenant, target, dry_run, actor, detail`;

export function actionFromRow(r: Row): Action {
  return {
    action_id: String(r.action_id),
    detection_id: String(r.detection_id),
    playbook_id: String(r.playbook_id),
    step_index: Number(r.step_index),
    step: String(r.step),
    status: r.status as Action['status'],
    attempt: Number(r.attempt),
    ts: Number(r.ts),
    tenant: String(r.tenant),
    target: r.target ? String(r.target) : null,
    dry_run: Boolean(r.dry_run),
    actor: String(r.actor),
    detail: String(r.detail),
  };
}
