/**
 * The dead letter of a record Kafka refused as too large after the collector had accepted it
 * (a broker or topic whose limit is below collector.max_event_bytes). It carries the record's
 * ids and size, never its body: it must fit where the record did not.
 */
import { newEventId } from '../../sdk/ids.js';
import { decodeEvent } from '../shared/avro/telemetry.js';
import { TOPICS } from '../shared/bus/topics.js';
import type { OutgoingRecord } from '../shared/bus/types.js';
import type { RecordTooLargeError } from '../shared/errors.js';
import { encodeRecord } from '../shared/records.js';

/** What the client is told, in the 207, when the refusal came while it waited. */
export function refusedReason(bytes: number): string {
  return `Kafka refused the event as too large: ${bytes} bytes once encoded (the broker's message.max.bytes or the topic's max.message.bytes is below collector.max_event_bytes)`;
}

export function refusedDeadLetter(record: OutgoingRecord, err: RecordTooLargeError): OutgoingRecord {
  const ids = idsOf(record);
  const tenant = ids.tenant ?? null;
  return {
    topic: TOPICS.deadletter,
    key: tenant,
    value: encodeRecord('DeadLetter', {
      dead_letter_id: newEventId(Date.now()),
      ts: Date.now(),
      stage: 'collector',
      tenant,
      reason: `${refusedReason(err.bytes)}${ids.event_id ? `; event_id ${ids.event_id}` : ''}`,
      payload: Buffer.from(JSON.stringify({ ...ids, key: record.key, bytes: err.bytes })),
      payload_truncated: true,
      origin_topic: record.topic,
      origin_partition: null,
      origin_offset: null,
    }),
  };
}

interface RecordIds {
  event_id?: string;
  tenant?: string;
  agent_id?: string | null;
  session_id?: string | null;
  kind?: string;
}

function idsOf(record: OutgoingRecord): RecordIds {
  if (record.topic !== TOPICS.telemetry || record.value === null) return {};
  try {
    const e = decodeEvent(record.value);
    return { event_id: e.event_id, tenant: e.tenant, agent_id: e.agent_id, session_id: e.session_id, kind: e.kind };
  } catch {
    return {};
  }
}
