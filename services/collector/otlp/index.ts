/**
 * OpenTelemetry in: what the collector's `POST /v1/traces` route needs to turn OTLP/HTTP
 * trace exports (protobuf or JSON) into v1 events. Typical route:
 *
 *   const encoding = otlpEncodingOf(req.headers['content-type']);   // null → 415
 *   const result = ingestTraceRequest(body, contentType, ctx);      // BodyInvalidError → 400 + encodeTraceError
 *   publish(result.accepted); deadLetter(result.rejected);
 *   const res = encodeTraceResponse(result.encoding, result.partialSuccess); // 200
 */
export { decodeTraceRequest } from './decode.js';
export { OTLP_CONTENT_TYPES, otlpEncodingOf } from './encoding.js';
export { ingestTraceRequest, type TraceIngestResult } from './ingest.js';
export { spansToEvents, type RawEvent, type SpanMapping } from './map.js';
export { encodeTraceError, encodeTraceResponse, type EncodedResponse, type PartialSuccess } from './response.js';
export { countSpans } from './types.js';
export type {
  OtlpAttributes,
  OtlpEncoding,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpStatus,
  OtlpTraceRequest,
  OtlpValue,
} from './types.js';
