/**
 * One OTLP/HTTP trace export, end to end short of the bus: decode the body, map GenAI spans
 * to v1 events, validate and normalize each with `parseEvent` (the same edge check as
 * POST /v1/events), and work out the OTLP partial-success answer. The route publishes
 * `accepted`, dead-letters `rejected`, and sends `encodeTraceResponse(encoding, partialSuccess)`.
 *
 * A span counts as rejected when any event it produced was rejected. Spans that are not
 * GenAI (HTTP, DB, ...) are dropped on purpose and are not "rejected": reporting them would
 * make every SDK log a warning on every export.
 */
import { parseEvent, type IngestContext } from '../../shared/events/normalize.js';
import type { TelemetryEvent } from '../../shared/events/schema.js';
import { decodeTraceRequest } from './decode.js';
import { otlpEncodingOf } from './encoding.js';
import { spansToEvents, type RawEvent } from './map.js';
import type { PartialSuccess } from './response.js';
import type { OtlpEncoding } from './types.js';

export interface RejectedSpanEvent {
  /** The raw event as mapped from the span, for the dead-letter topic. */
  raw: RawEvent;
  /** Why `parseEvent` refused it, e.g. `tool_call.name: Required`. */
  error: string;
  /** Position of its span in the request. */
  span: number;
}

export interface TraceIngestResult {
  encoding: OtlpEncoding;
  accepted: TelemetryEvent[];
  rejected: RejectedSpanEvent[];
  spans: number;
  ignoredSpans: number;
  rejectedSpans: number;
  /** For `encodeTraceResponse`; null when everything was accepted. */
  partialSuccess: PartialSuccess | null;
}

/** The first few reasons are enough for a developer reading exporter logs; the rest is noise. */
const MAX_REASONS = 3;
const MAX_MESSAGE = 1024;

/** Throws `BodyInvalidError` for a body that is not an OTLP trace export (HTTP 400). */
export function ingestTraceRequest(body: Buffer | Uint8Array, contentType: string, ctx: IngestContext): TraceIngestResult {
  const request = decodeTraceRequest(body, contentType);
  // decodeTraceRequest has just accepted this content type, so it names an encoding.
  const encoding = otlpEncodingOf(contentType) ?? 'json';
  const mapping = spansToEvents(request);
  const accepted: TelemetryEvent[] = [];
  const rejected: RejectedSpanEvent[] = [];
  const rejectedSpanSet = new Set<number>();
  mapping.events.forEach((raw, i) => {
    const span = mapping.eventSpans[i] ?? -1;
    const parsed = parseEvent(raw, ctx);
    if (parsed.ok) accepted.push(parsed.event);
    else {
      rejected.push({ raw, error: parsed.error, span });
      rejectedSpanSet.add(span);
    }
  });
  return {
    encoding,
    accepted,
    rejected,
    spans: mapping.spans,
    ignoredSpans: mapping.ignoredSpans,
    rejectedSpans: rejectedSpanSet.size,
    partialSuccess: rejected.length === 0 ? null : { rejectedSpans: rejectedSpanSet.size, errorMessage: reasons(rejected) },
  };
}

function reasons(rejected: RejectedSpanEvent[]): string {
  const shown = rejected.slice(0, MAX_REASONS).map((r) => `${r.raw.kind} event of span ${r.raw.span_id ?? '?'}: ${r.error}`);
  const more = rejected.length > MAX_REASONS ? ` (and ${rejected.length - MAX_REASONS} more)` : '';
  const message = `${rejected.length} GenAI event(s) rejected: ${shown.join('; ')}${more}`;
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
