/**
 * The records besides telemetry that flow between services, mirroring schemas/*.avsc field
 * for field (test/schemas.test.ts round-trips them so the two cannot drift).
 */
import { schemas } from './avro/registry.js';
import type { Finding } from './detectors/types.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** A detector finding inside one of the detection's events. */
export interface EvidenceSpan extends Finding {
  event_id: string;
}

/** Topic runwatch.detections.v1. */
export interface Detection {
  detection_id: string;
  rule_id: string;
  rule_version: number;
  severity: Severity;
  ts: number;
  detected_at: number;
  tenant: string;
  agent_id: string | null;
  session_id: string | null;
  key_id: string | null;
  user_id: string | null;
  group_key: string;
  event_ids: string[];
  window_start: number;
  window_end: number;
  summary: string;
  tags: string[];
  playbooks: string[];
  evidence: EvidenceSpan[];
  suppressed_count: number;
}

export const ACTION_STATUSES = [
  'pending', 'running', 'succeeded', 'failed', 'skipped', 'awaiting_approval', 'approved', 'rejected', 'dry_run',
] as const;
export type ActionStatus = (typeof ACTION_STATUSES)[number];

/** Topic runwatch.actions.v1: one state change of one playbook step. */
export interface Action {
  action_id: string;
  detection_id: string;
  playbook_id: string;
  step_index: number;
  step: string;
  status: ActionStatus;
  attempt: number;
  ts: number;
  tenant: string;
  target: string | null;
  dry_run: boolean;
  actor: string;
  detail: string;
}

export type SubjectType = 'agent' | 'key' | 'session';
export type ContainmentState = 'quarantined' | 'revoked' | 'blocked' | 'released';

/** Compacted topic runwatch.containment.v1, key `containmentKey(...)`. */
export interface Containment {
  subject_type: SubjectType;
  subject_id: string;
  tenant: string;
  state: ContainmentState;
  reason: string;
  detection_id: string | null;
  since: number;
  until: number | null;
  actor: string;
  updated_at: number;
}

/** Topic runwatch.deadletter.v1: what could not be accepted or decoded, with why. */
export interface DeadLetter {
  dead_letter_id: string;
  ts: number;
  stage: 'collector' | 'detector' | 'evidence' | 'responder';
  tenant: string | null;
  reason: string;
  payload: Buffer;
  payload_truncated: boolean;
  origin_topic: string | null;
  origin_partition: number | null;
  origin_offset: string | null;
}

export function containmentKey(c: Pick<Containment, 'subject_type' | 'tenant' | 'subject_id'>): string {
  return `${c.subject_type}:${c.tenant}:${c.subject_id}`;
}

interface RecordTypes {
  Detection: Detection;
  Action: Action;
  Containment: Containment;
  DeadLetter: DeadLetter;
}

export function encodeRecord<N extends keyof RecordTypes>(name: N, record: RecordTypes[N]): Buffer {
  return schemas().encode(name, record);
}

export function decodeRecord<N extends keyof RecordTypes>(name: N, buf: Buffer): RecordTypes[N] {
  return plain(schemas().decode(name, buf)) as RecordTypes[N];
}

/** avsc decodes records into generated classes; callers and tests want plain objects. */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(plain);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v);
  return out;
}
