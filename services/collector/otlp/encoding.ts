/**
 * Which OTLP/HTTP encoding a Content-Type names. Kept apart so the route can answer 415
 * before reading a body, and the response encoder can mirror the request's encoding.
 */
import type { OtlpEncoding } from './types.js';

export const OTLP_CONTENT_TYPES: Readonly<Record<OtlpEncoding, string>> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/**
 * `application/x-protobuf` (and the unregistered `application/protobuf` some clients send)
 * → protobuf; `application/json` → json; parameters such as `; charset=utf-8` are ignored.
 * Anything else → null.
 */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | null {
  if (!contentType) return null;
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return null;
}
