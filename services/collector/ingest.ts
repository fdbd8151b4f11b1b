/**
 * From parsed body items to bus records: valid events to runwatch.telemetry.v1 (key
 * tenant:agent_id), invalid ones to runwatch.deadletter.v1 with the reason, in body order:
 * record i is always item i's. An event over the per-event size limit, once Avro-encoded, is
 * invalid like any other: Kafka would refuse it, and accepting it would be a promise not kept.
 */
import { newEventId } from '../../sdk/ids.js';
import { encodeEvent } from '../shared/avro/telemetry.js';
import { TOPICS } from '../shared/bus/topics.js';
import type { OutgoingRecord } from '../shared/bus/types.js';
import { DEFAULT_MAX_EVENT_BYTES } from '../shared/config/schema.js';
import { EventTooLargeError } from '../shared/errors.js';
import { scrubKeyId } from '../shared/events/key-fingerprint.js';
import { eventKey, parseEvent, type IngestContext } from '../shared/events/normalize.js';
import type { TelemetryEvent } from '../shared/events/schema.js';
import { encodeRecord } from '../shared/records.js';
import type { BodyItem } from './body.js';

/**
 * Dead-letter payloads are cut here (or at half the event limit, if lower): the reason matters
 * more than a huge body, and the dead letter must itself fit in a Kafka message.
 */
const MAX_DEAD_LETTER_PAYLOAD = 256 * 1024;

export interface Rejection {
  index: number;
  /** NDJSON only: the 1-based line of the body. */
  line?: number;
  error: string;
}

export interface IngestResult {
  accepted: TelemetryEvent[];
  /** The body index of each accepted event, in the same order. */
  acceptedIndexes: number[];
  rejected: Rejection[];
  /** One per item, in body order. */
  records: OutgoingRecord[];
}

/** Last touch on an accepted event before it is encoded (the containment mark, enforcer.ts). */
export type EventMarker = (event: TelemetryEvent) => TelemetryEvent;

export interface IngestOptions {
  mark?: EventMarker;
  /** Largest event, Avro-encoded (collector.max_event_bytes). */
  maxEventBytes?: number;
}

export function ingest(items: readonly BodyItem[], ctx: IngestContext, options: IngestOptions = {}): IngestResult {
  const { mark = (event: TelemetryEvent) => event, maxEventBytes = DEFAULT_MAX_EVENT_BYTES } = options;
  const payloadCap = Math.min(MAX_DEAD_LETTER_PAYLOAD, Math.floor(maxEventBytes / 2));
  const accepted: TelemetryEvent[] = [];
  const acceptedIndexes: number[] = [];
  const rejected: Rejection[] = [];
  const records: OutgoingRecord[] = [];
  items.forEach((item, index) => {
    const result = item.ok ? parseEvent(item.raw, ctx) : { ok: false as const, error: item.error };
    const reject = (error: string, record: OutgoingRecord): void => {
      const rejection: Rejection = { index, error };
      if (item.line !== undefined) rejection.line = item.line;
      rejected.push(rejection);
      records.push(record);
    };
    if (!result.ok) return reject(result.error, deadLetter(item, result.error, ctx, payloadCap));
    const event = mark(result.event);
    const value = encodeEvent(event);
    if (value.length > maxEventBytes) {
      const error = new EventTooLargeError(value.length, maxEventBytes).message;
      return reject(error, tooLargeDeadLetter(event, error, ctx, payloadCap));
    }
    accepted.push(event);
    acceptedIndexes.push(index);
    records.push({ topic: TOPICS.telemetry, key: eventKey(event), value, timestamp: event.ts });
  });
  return { accepted, acceptedIndexes, rejected, records };
}

/**
 * Moves events Kafka refused after the edge had accepted them (publisher.ts: a broker whose
 * limit is below collector.max_event_bytes) from accepted to rejected, so the answer says so.
 */
export function withRefused(result: IngestResult, refused: ReadonlyArray<{ index: number; error: string }>): IngestResult {
  if (refused.length === 0) return result;
  const errors = new Map(refused.map((r) => [r.index, r.error]));
  const accepted: TelemetryEvent[] = [];
  const acceptedIndexes: number[] = [];
  const rejected = [...result.rejected];
  result.accepted.forEach((event, i) => {
    const index = result.acceptedIndexes[i]!;
    const error = errors.get(index);
    if (error === undefined) {
      accepted.push(event);
      acceptedIndexes.push(index);
    } else {
      rejected.push({ index, error });
    }
  });
  rejected.sort((a, b) => a.index - b.index);
  return { ...result, accepted, acceptedIndexes, rejected };
}

/** The dead letter of an event too large to produce: its head only (with the ids), never the whole of it. */
function tooLargeDeadLetter(event: TelemetryEvent, reason: string, ctx: IngestContext, payloadCap: number): OutgoingRecord {
  const payload = Buffer.from(safeStringify(event));
  return deadLetterRecord(event.tenant, `${reason}; event_id ${event.event_id}`, payload.subarray(0, payloadCap), payload.length > payloadCap, ctx);
}

function deadLetter(item: BodyItem, reason: string, ctx: IngestContext, payloadCap: number): OutgoingRecord {
  const raw = item.ok ? scrubbed(item.raw) : item.text;
  const payload = Buffer.from(typeof raw === 'string' ? raw : safeStringify(raw));
  return deadLetterRecord(ctx.tenant ?? tenantOf(item), reason, payload.subarray(0, payloadCap), payload.length > payloadCap, ctx);
}

function deadLetterRecord(tenant: string | null, reason: string, payload: Buffer, truncated: boolean, ctx: IngestContext): OutgoingRecord {
  return {
    topic: TOPICS.deadletter,
    key: tenant,
    value: encodeRecord('DeadLetter', {
      dead_letter_id: newEventId(ctx.receivedAt),
      ts: ctx.receivedAt,
      stage: 'collector',
      tenant,
      reason,
      payload,
      payload_truncated: truncated,
      origin_topic: null,
      origin_partition: null,
      origin_offset: null,
    }),
  };
}

/** Invalid events still must not carry a raw secret onward. */
function scrubbed(raw: unknown): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const keyId = (raw as Record<string, unknown>).key_id;
  return typeof keyId === 'string' ? { ...raw, key_id: scrubKeyId(keyId) } : raw;
}

function tenantOf(item: BodyItem): string | null {
  if (!item.ok || item.raw === null || typeof item.raw !== 'object') return null;
  const tenant = (item.raw as Record<string, unknown>).tenant;
  return typeof tenant === 'string' && tenant.length <= 128 ? tenant : null;
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? 'null';
  } catch (err) {
    return `(unserializable: ${(err as Error).message})`;
  }
}
