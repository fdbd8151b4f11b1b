/**
 * Poison messages for the consumers of each runwatch topic: what a misconfigured producer, a
 * half-written record or a stray tool could put there. Every consumer must dead-letter each
 * one once and carry on (test/poison.test.ts on the embedded bus, test/faults.kafka.test.ts on
 * Kafka).
 */
import { encodeEvent } from '../../services/shared/avro/telemetry.js';
import { schemas } from '../../services/shared/avro/registry.js';
import { TOPICS } from '../../services/shared/bus/topics.js';
import type { OutgoingRecord } from '../../services/shared/bus/types.js';
import type { TelemetryEvent } from '../../services/shared/events/schema.js';
import { encodeRecord, type Action, type Containment, type DeadLetter, type Detection } from '../../services/shared/records.js';

export type PoisonedTopic = typeof TOPICS.telemetry | typeof TOPICS.detections | typeof TOPICS.actions | typeof TOPICS.containment;

export interface Poison {
  /** What is wrong with it, for assertion messages. */
  kind: string;
  record: OutgoingRecord;
  /**
   * Stages whose consumers cannot read it and must dead-letter it. Values outside the evidence
   * columns' range are poison to the evidence writer only: the others read such records fine.
   */
  stages: ReadonlyArray<DeadLetter['stage']>;
}

/** Which services read each topic (the stage their dead letters carry). */
export const READERS: Readonly<Record<PoisonedTopic, ReadonlyArray<DeadLetter['stage']>>> = {
  [TOPICS.telemetry]: ['detector', 'evidence'],
  [TOPICS.detections]: ['evidence', 'responder'],
  [TOPICS.actions]: ['evidence', 'responder'],
  [TOPICS.containment]: ['collector', 'responder'],
};

function event(tenant: string, n: number): TelemetryEvent {
  const now = Date.now();
  return {
    event_id: `poison-${tenant}-${n}`, ts: now, received_at: now, tenant, app: null, env: null, agent_id: 'poison-agent', session_id: 'poison-session',
    trace_id: null, span_id: null, parent_span_id: null, user_id: null, key_id: null, source_ip: null, kind: 'tool_call', model: null, provider: null,
    prompt: null, output: null, retrieval: null, tool_call: { name: 'lookup', call_id: null, arguments: {}, result: null, status: null, target: null }, attributes: {},
  };
}

function detection(tenant: string, overrides: Partial<Detection> = {}): Detection {
  const now = Date.now();
  // Low, and a rule no playbook names: the responder has nothing to do for it even if it reads it.
  return {
    detection_id: `det_poison_${tenant}`, rule_id: 'poison.test', rule_version: 1, severity: 'low', ts: now, detected_at: now, tenant,
    agent_id: 'poison-agent', session_id: null, key_id: null, user_id: null, group_key: 'g', event_ids: [], window_start: now, window_end: now,
    summary: 'poison', tags: [], playbooks: [], evidence: [], suppressed_count: 0, ...overrides,
  };
}

function action(tenant: string, overrides: Partial<Action> = {}): Action {
  // `succeeded`: a step the ledger sees as finished, so a restarted responder has nothing to resume.
  return {
    action_id: `act_poison_${tenant}`, detection_id: `det_poison_${tenant}`, playbook_id: 'poison', step_index: 0, step: 'notify', status: 'succeeded',
    attempt: 1, ts: Date.now(), tenant, target: null, dry_run: false, actor: 'runwatch', detail: '', ...overrides,
  };
}

function containment(tenant: string): Containment {
  const now = Date.now();
  return { subject_type: 'agent', subject_id: 'poison-agent', tenant, state: 'quarantined', reason: 'poison', detection_id: null, since: now, until: now + 60_000, actor: 'runwatch', updated_at: now };
}

/** A well-formed record of each topic's own type, to cut short or to put on another topic. */
function validOf(topic: PoisonedTopic, tenant: string): Buffer {
  switch (topic) {
    case TOPICS.telemetry:
      return encodeEvent(event(tenant, 0));
    case TOPICS.detections:
      return encodeRecord('Detection', detection(tenant));
    case TOPICS.actions:
      return encodeRecord('Action', action(tenant));
    default:
      return encodeRecord('Containment', containment(tenant));
  }
}

/** A record of another topic's type, with its own (valid) schema id. */
const WRONG_RECORD: Readonly<Record<PoisonedTopic, PoisonedTopic>> = {
  [TOPICS.telemetry]: TOPICS.containment,
  [TOPICS.detections]: TOPICS.actions,
  [TOPICS.actions]: TOPICS.detections,
  [TOPICS.containment]: TOPICS.telemetry,
};

/**
 * The poison for one topic: random bytes, a frame naming an unknown schema id, a valid record
 * of the wrong type, a truncated record; on telemetry an event whose tool arguments are not
 * JSON; and records whose numbers do not fit the evidence columns. The containment topic's
 * poison is keyed like a real subject, as a compacted topic's records are.
 */
export function poisonFor(topic: PoisonedTopic, tenant: string): Poison[] {
  const readers = READERS[topic];
  let n = 0;
  // Keys of their own on the compacted topic: compaction must not fold one poison into another.
  const keyOf = () => (topic === TOPICS.containment ? `agent:${tenant}:poison-${n++}` : `${tenant}:poison-agent`);
  const at = (kind: string, value: Buffer, stages = readers): Poison => ({ kind: `${topic}: ${kind}`, record: { topic, key: keyOf(), value }, stages });
  const valid = validOf(topic, tenant);
  const unknownId = Buffer.from(valid);
  unknownId.writeInt32BE(9999, 1);
  const out = [
    at('random bytes', Buffer.from('9f3c1e77a05b2d6e84c1f0aa3e5d7b9c02d4f6a8b0c2e4f6', 'hex')),
    at('unknown schema id', unknownId),
    at('a valid record of the wrong type', validOf(WRONG_RECORD[topic], tenant)),
    at('a truncated record', valid.subarray(0, Math.floor(valid.length / 2))),
  ];
  if (topic === TOPICS.telemetry) {
    const record = { ...event(tenant, 1), tool_call: { name: 'lookup', call_id: null, arguments_json: '{"to": ', result: null, status: null, target: null } };
    out.push(at('tool arguments that are not JSON', schemas().encode('TelemetryEvent', record)));
    const tokens = { ...event(tenant, 2), kind: 'output' as const, tool_call: null, output: { text: 'x', finish_reason: null, usage: { input_tokens: -1, output_tokens: 5 } } };
    out.push(at('negative token counts', encodeEvent(tokens), ['evidence']));
  }
  if (topic === TOPICS.detections) out.push(at('a negative rule version', encodeRecord('Detection', detection(tenant, { detection_id: `det_poison_range_${tenant}`, rule_version: -1 })), ['evidence']));
  if (topic === TOPICS.actions) out.push(at('a step index past UInt16', encodeRecord('Action', action(tenant, { action_id: `act_poison_range_${tenant}`, step_index: 70_000 })), ['evidence']));
  return out;
}
