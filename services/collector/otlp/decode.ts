/**
 * Reads an OTLP/HTTP trace export body (`ExportTraceServiceRequest`) in either encoding into
 * the plain `OtlpTraceRequest`. Every failure, from protobufjs, JSON.parse or the shape
 * checks, leaves as a `BodyInvalidError` (HTTP 400), never as a raw exception.
 *
 * Decompression (Content-Encoding: gzip) and the body size limit belong to the HTTP route;
 * this module sees the plain bytes.
 */
import { BodyInvalidError } from '../../shared/errors.js';
import { otlpEncodingOf } from './encoding.js';
import { normalizeTraceRequest } from './normalize.js';
import { ExportTraceServiceRequest } from './proto.js';
import type { OtlpTraceRequest } from './types.js';

export function decodeTraceRequest(body: Buffer | Uint8Array, contentType: string): OtlpTraceRequest {
  const encoding = otlpEncodingOf(contentType);
  if (encoding === null) {
    throw new BodyInvalidError(
      `unsupported Content-Type '${contentType}' for OTLP/HTTP traces: send application/x-protobuf or application/json`,
    );
  }
  const wire = encoding === 'protobuf' ? readProtobuf(body) : readJson(body);
  try {
    return normalizeTraceRequest(wire, encoding);
  } catch (err) {
    if (err instanceof BodyInvalidError) throw err;
    // Belt and braces: the normalizer only throws BodyInvalidError, but a stack overflow or a
    // bug must still reach the client as a 400 with a reason, not as a 500.
    throw new BodyInvalidError(`OTLP ${encoding} body could not be read: ${reasonOf(err)}`);
  }
}

function readProtobuf(body: Uint8Array): unknown {
  let wire: { resourceSpans?: unknown[] };
  try {
    const message = ExportTraceServiceRequest.decode(body);
    // longs as decimal strings: exact nanosecond times without the `long` dependency's type,
    // and the same spelling OTLP/JSON uses. Bytes stay Uint8Array (ids become hex later).
    wire = ExportTraceServiceRequest.toObject(message, { longs: String, enums: Number, defaults: false, arrays: false });
  } catch (err) {
    throw new BodyInvalidError(`body is not a protobuf OTLP ExportTraceServiceRequest: ${reasonOf(err)}`);
  }
  // Protobuf skips unknown fields, so random bytes can "decode" into nothing. A real
  // exporter never sends a non-empty request without spans' container: call that junk.
  if (body.length > 0 && (wire.resourceSpans?.length ?? 0) === 0) {
    throw new BodyInvalidError('body is not a protobuf OTLP ExportTraceServiceRequest: no resourceSpans (field 1) in a non-empty body');
  }
  return wire;
}

function readJson(body: Uint8Array): unknown {
  let text = Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let wire: unknown;
  try {
    // V8's JSON.parse is iterative: deep nesting costs memory, not stack; the normalizer
    // bounds the depth it walks.
    wire = JSON.parse(text);
  } catch (err) {
    throw new BodyInvalidError(`body is not JSON: ${reasonOf(err)}`);
  }
  if (typeof wire !== 'object' || wire === null || Array.isArray(wire)) {
    throw new BodyInvalidError('body is not an OTLP/JSON ExportTraceServiceRequest: expected an object with resourceSpans');
  }
  // `{}` is a valid empty export; an object with other keys and no resourceSpans is more
  // likely a runwatch event sent to the wrong endpoint, and deserves a pointed message.
  if (!('resourceSpans' in wire) && Object.keys(wire).length > 0) {
    throw new BodyInvalidError(
      'body is not an OTLP/JSON ExportTraceServiceRequest: no resourceSpans (runwatch events go to POST /v1/events)',
    );
  }
  return wire;
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.length > 200 ? `${message.slice(0, 200)}…` : message;
}
