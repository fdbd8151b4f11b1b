/**
 * From parsed body items to bus records: valid events to runwatch.telemetry.v1 (key
 * tenant:agent_id), invalid ones to runwatch.deadletter.v1 with the reason, in body order.
 */
import { newEventId } from '../../sdk/ids.js';
import { encodeEvent } from '../shared/avro/telemetry.js';
import { TOPICS } from '../shared/bus/topics.js';
import type { OutgoingRecord } from '../shared/bus/types.js';
import { scrubKeyId } from '../shared/events/key-fingerprint.js';
import { eventKey, parseEvent, type IngestContext } from '../shared/events/normalize.js';
import type { TelemetryEvent } from '../shared/events/schema.js';
import { encodeRecord } from '../shared/records.js';
import type { BodyItem } from './body.js';

/** Dead-letter payloads are cut here: the reason matters more than a huge body. */
const MAX_DEAD_LETTER_PAYLOAD = 1024 * 1024;

export interface Rejection {
  index: number;
  /** NDJSON only: the 1-based line of the body. */
  line?: number;
  error: string;
}

export interface IngestResult {
  accepted: TelemetryEvent[];
  rejected: Rejection[];
  records: OutgoingRecord[];
}

/** Last touch on an accepted event before it is encoded (the containment mark, enforcer.ts). */
export type EventMarker = (event: TelemetryEvent) => TelemetryEvent;

export function ingest(items: readonly BodyItem[], ctx: IngestContext, mark: EventMarker = (event) => event): IngestResult {
  const accepted: TelemetryEvent[] = [];
  const rejected: Rejection[] = [];
  const records: OutgoingRecord[] = [];
  items.forEach((item, index) => {
    const result = item.ok ? parseEvent(item.raw, ctx) : { ok: false as const, error: item.error };
    if (result.ok) {
      const event = mark(result.event);
      accepted.push(event);
      records.push({ topic: TOPICS.telemetry, key: eventKey(event), value: encodeEvent(event), timestamp: event.ts });
      return;
    }
    const rejection: Rejection = { index, error: result.error };
    if (item.line !== undefined) rejection.line = item.line;
    rejected.push(rejection);
    records.push(deadLetter(item, result.error, ctx));
  });
  return { accepted, rejected, records };
}

function deadLetter(item: BodyItem, reason: string, ctx: IngestContext): OutgoingRecord {
  const raw = item.ok ? scrubbed(item.raw) : item.text;
  let payload = Buffer.from(typeof raw === 'string' ? raw : safeStringify(raw));
  const truncated = payload.length > MAX_DEAD_LETTER_PAYLOAD;
  if (truncated) payload = payload.subarray(0, MAX_DEAD_LETTER_PAYLOAD);
  const tenant = ctx.tenant ?? tenantOf(item);
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
