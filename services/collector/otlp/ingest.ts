/**
 * One OTLP/HTTP trace export, end to end short of the bus: decode the body, map GenAI spans
 * to v1 events, then the same edge check and records as POST /v1/events (collector/ingest.ts),
 * and the OTLP partial-success answer.
 *
 * A span counts as rejected when any event it produced was rejected. Spans that are not
 * GenAI (HTTP, DB, ...) are dropped on purpose and are not "rejected": reporting them would
 * make every SDK log a warning on every export.
 */
import type { IngestContext } from '../../shared/events/normalize.js';
import { ingest, type IngestResult } from '../ingest.js';
import { decodeTraceRequest } from './decode.js';
import { otlpEncodingOf } from './encoding.js';
import { spansToEvents, type RawEvent } from './map.js';
import type { PartialSuccess } from './response.js';
import type { OtlpEncoding } from './types.js';

export interface TraceIngestResult extends IngestResult {
  encoding: OtlpEncoding;
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
export function ingestTraceRequest(body: Buffer | Uint8Array, contentType: string, ctx: IngestContext, maxEventBytes?: number): TraceIngestResult {
  const request = decodeTraceRequest(body, contentType);
  // decodeTraceRequest has just accepted this content type, so it names an encoding.
  const encoding = otlpEncodingOf(contentType) ?? 'json';
  const mapping = spansToEvents(request);
  const result = ingest(mapping.events.map((raw) => ({ ok: true as const, raw })), ctx, { maxEventBytes });
  const rejectedSpans = new Set(result.rejected.map((r) => mapping.eventSpans[r.index] ?? -1)).size;
  return {
    ...result,
    encoding,
    spans: mapping.spans,
    ignoredSpans: mapping.ignoredSpans,
    rejectedSpans,
    partialSuccess:
      result.rejected.length === 0
        ? null
        : { rejectedSpans, errorMessage: reasons(result.rejected.map((r) => ({ raw: mapping.events[r.index]!, error: r.error }))) },
  };
}

function reasons(rejected: Array<{ raw: RawEvent; error: string }>): string {
  const shown = rejected.slice(0, MAX_REASONS).map((r) => `${r.raw.kind} event of span ${r.raw.span_id ?? '?'}: ${r.error}`);
  const more = rejected.length > MAX_REASONS ? ` (and ${rejected.length - MAX_REASONS} more)` : '';
  const message = `${rejected.length} GenAI event(s) rejected: ${shown.join('; ')}${more}`;
  return message.length > MAX_MESSAGE ? `${message.slice(0, MAX_MESSAGE - 1)}…` : message;
}
