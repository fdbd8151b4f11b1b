/**
 * How big a produce request to Kafka may be. kafkajs puts every record a request has for one
 * partition into one record batch, and the broker refuses a batch over `message.max.bytes`
 * (1 MB by default) whole, as MESSAGE_TOO_LARGE: 2 MB of small events for one agent in one
 * request would fail however small each event is. So the bus cuts what it produces into
 * requests of at most REQUEST_BUDGET_BYTES, in order; a record over that goes alone.
 */
import type { OutgoingRecord } from './types.js';

/** Under Kafka's default message.max.bytes (1048588) with room for the batch and record headers. */
export const REQUEST_BUDGET_BYTES = 900 * 1024;

/** Kafka's per-record framing (lengths, deltas, attributes), rounded up; a batch adds 61 bytes. */
const RECORD_OVERHEAD = 32;

/** About what a record takes in a Kafka record batch, uncompressed. */
export function recordBytes(record: OutgoingRecord): number {
  let n = RECORD_OVERHEAD + (record.value?.length ?? 0) + (record.key === null ? 0 : Buffer.byteLength(record.key));
  for (const [k, v] of Object.entries(record.headers ?? {})) n += Buffer.byteLength(k) + Buffer.byteLength(v) + 8;
  return n;
}

/**
 * Consecutive [start, end) ranges of `records`, each at most `budget` bytes unless it is one
 * record alone. Produced one after the other, they keep every key's order.
 */
export function requestRanges(records: readonly OutgoingRecord[], budget = REQUEST_BUDGET_BYTES): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let start = 0;
  let bytes = 0;
  records.forEach((record, i) => {
    const n = recordBytes(record);
    if (i > start && bytes + n > budget) {
      ranges.push([start, i]);
      start = i;
      bytes = 0;
    }
    bytes += n;
  });
  if (start < records.length) ranges.push([start, records.length]);
  return ranges;
}

/** kafkajs error types that mean "this request's records are too large", never worth retrying as they are. */
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);

/** True when kafkajs failed a produce because the broker refused a record or batch as too large. */
export function isTooLargeError(err: unknown): boolean {
  for (let e = err, depth = 0; e !== null && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (TOO_LARGE.has(String((e as { type?: unknown }).type))) return true;
  }
  return false;
}
