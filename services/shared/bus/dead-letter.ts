/** The dead-letter record for a message a consumer cannot use (it goes on, the message is kept). */
import type { DeadLetter } from '../records.js';
import { encodeRecord } from '../records.js';
import { TOPICS } from './topics.js';
import type { BusMessage, OutgoingRecord } from './types.js';

/**
 * Payloads above this are cut: the dead-letter topic keeps the evidence, not a second copy of
 * a huge message, and the record must itself fit well under Kafka's message limit (about 1 MB
 * by default) or the consumer writing it would retry its batch forever.
 */
const MAX_PAYLOAD = 256 * 1024;

export function deadLetterOf(stage: DeadLetter['stage'], message: BusMessage, reason: string): OutgoingRecord {
  const payload = message.value ?? Buffer.alloc(0);
  return {
    topic: TOPICS.deadletter,
    key: null,
    value: encodeRecord('DeadLetter', {
      // Deterministic: the same message dead-lettered twice (a redelivered batch) is one id.
      dead_letter_id: `dl_${stage}_${message.topic}_${message.partition}_${message.offset}`,
      ts: Date.now(),
      stage,
      tenant: null,
      reason,
      payload: payload.subarray(0, MAX_PAYLOAD),
      payload_truncated: payload.length > MAX_PAYLOAD,
      origin_topic: message.topic,
      origin_partition: message.partition,
      origin_offset: message.offset,
    }),
  };
}
