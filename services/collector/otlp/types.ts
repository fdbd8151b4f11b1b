/**
 * The one plain shape an OTLP/HTTP trace export is read into, whichever wire encoding it
 * came in (protobuf or JSON): ids as lowercase hex, times as epoch milliseconds, attribute
 * values as plain JavaScript values. The mapper (map.ts) reads only this shape, so both
 * encodings of the same spans give the same events.
 */

/** The two OTLP/HTTP encodings; a response is sent in the encoding of its request. */
export type OtlpEncoding = 'protobuf' | 'json';

/**
 * An OTLP `AnyValue`: string, bool, int (as a number; int64 beyond 2^53 loses precision,
 * which no attribute runwatch reads cares about), double, bytes, array, key-value list.
 * An empty AnyValue is `null`.
 */
export type OtlpValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | OtlpValue[]
  | { [key: string]: OtlpValue };

export type OtlpAttributes = Record<string, OtlpValue>;

/** Span status as the API knows it; `error` is what turns a tool call's status to `error`. */
export type OtlpStatusCode = 'unset' | 'ok' | 'error';

export interface OtlpStatus {
  code: OtlpStatusCode;
  message: string;
}

/** A span event (not a runwatch event): older GenAI instrumentations put prompts and completions here. */
export interface OtlpSpanEvent {
  name: string;
  /** Epoch ms, or null when the sender left it unset. */
  timeMs: number | null;
  attributes: OtlpAttributes;
}

export interface OtlpSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  parentSpanId: string | null;
  name: string;
  /** OTLP SpanKind number: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  /** Epoch ms (floor of the nanosecond time), or null when unset (0). */
  startTimeMs: number | null;
  endTimeMs: number | null;
  attributes: OtlpAttributes;
  events: OtlpSpanEvent[];
  status: OtlpStatus;
}

export interface OtlpScopeSpans {
  /** The instrumentation scope (library) that made the spans; empty strings when unset. */
  scope: { name: string; version: string };
  spans: OtlpSpan[];
}

export interface OtlpResourceSpans {
  /** Resource attributes: `service.name`, `deployment.environment.name`, ... */
  resource: OtlpAttributes;
  scopeSpans: OtlpScopeSpans[];
}

/** A decoded `ExportTraceServiceRequest`. */
export interface OtlpTraceRequest {
  resourceSpans: OtlpResourceSpans[];
}

/** How many spans a request holds, for counts in the export response. */
export function countSpans(request: OtlpTraceRequest): number {
  let n = 0;
  for (const rs of request.resourceSpans) for (const ss of rs.scopeSpans) n += ss.spans.length;
  return n;
}
