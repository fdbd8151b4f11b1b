/**
 * OTLP/HTTP answers, in the encoding of the request (the spec requires the response
 * Content-Type to match the request's).
 *
 * - Success (HTTP 200): `ExportTraceServiceResponse`, with `partial_success` set only when
 *   spans were rejected (or there is a warning to pass on); a fully accepted export is an
 *   empty message: zero bytes in protobuf, `{}` in JSON.
 * - Failure (HTTP 4xx/5xx): a `google.rpc.Status` whose message says what was wrong.
 */
import { OTLP_CONTENT_TYPES } from './encoding.js';
import { ExportTraceServiceResponse, RpcStatus } from './proto.js';
import type { OtlpEncoding } from './types.js';

export interface PartialSuccess {
  /** Spans not accepted; 0 with a non-empty message is a warning. */
  rejectedSpans: number;
  errorMessage: string;
}

export interface EncodedResponse {
  contentType: string;
  body: Buffer;
}

/** google.rpc.Code INVALID_ARGUMENT: what a 400 carries. */
export const RPC_INVALID_ARGUMENT = 3;

export function encodeTraceResponse(encoding: OtlpEncoding, partial?: PartialSuccess | null): EncodedResponse {
  const contentType = OTLP_CONTENT_TYPES[encoding];
  const rejectedSpans = Math.max(0, Math.trunc(partial?.rejectedSpans ?? 0));
  const errorMessage = partial?.errorMessage ?? '';
  const hasPartial = rejectedSpans > 0 || errorMessage !== '';
  if (encoding === 'protobuf') {
    const message = ExportTraceServiceResponse.fromObject(hasPartial ? { partialSuccess: { rejectedSpans, errorMessage } } : {});
    return { contentType, body: Buffer.from(ExportTraceServiceResponse.encode(message).finish()) };
  }
  // proto3 JSON: default values omitted, int64 as a decimal string.
  const partialJson: Record<string, string> = {};
  if (rejectedSpans > 0) partialJson.rejectedSpans = String(rejectedSpans);
  if (errorMessage !== '') partialJson.errorMessage = errorMessage;
  const body = hasPartial ? { partialSuccess: partialJson } : {};
  return { contentType, body: Buffer.from(JSON.stringify(body)) };
}

/** The body of an OTLP/HTTP error answer: `google.rpc.Status { code, message }`. */
export function encodeTraceError(encoding: OtlpEncoding, message: string, code = RPC_INVALID_ARGUMENT): EncodedResponse {
  const contentType = OTLP_CONTENT_TYPES[encoding];
  if (encoding === 'protobuf') {
    return { contentType, body: Buffer.from(RpcStatus.encode(RpcStatus.fromObject({ code, message })).finish()) };
  }
  return { contentType, body: Buffer.from(JSON.stringify({ code, message })) };
}
