/**
 * Reads a POST /v1/events body: one event, a JSON array of events, or NDJSON. A body that is
 * not JSON at all is a BodyInvalidError (400); in NDJSON one bad line is that event's
 * rejection, not the request's.
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { BodyInvalidError, BodyTooLargeError } from '../shared/errors.js';

export type BodyItem =
  | { ok: true; raw: unknown; line?: number }
  /** A line of NDJSON that is not JSON; kept as text for the dead-letter topic. */
  | { ok: false; error: string; text: string; line: number };

export function isNdjson(contentType: string | undefined): boolean {
  return /^application\/(x-)?(ndjson|jsonl|jsonlines|json-seq)\b/i.test(contentType ?? '');
}

export function parseEventsBody(body: Buffer, contentType: string | undefined): BodyItem[] {
  const text = decodeUtf8(body);
  if (isNdjson(contentType)) return parseNdjson(text);
  if (text.trim() === '') throw new BodyInvalidError('empty body: send an event object, a JSON array of events, or NDJSON');
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    throw new BodyInvalidError(`body is not JSON (${(err as Error).message}); for one event per line use Content-Type: application/x-ndjson`);
  }
  if (Array.isArray(value)) return value.map((raw) => ({ ok: true, raw }));
  if (value !== null && typeof value === 'object') return [{ ok: true, raw: value }];
  throw new BodyInvalidError('expected an event object, a JSON array of events, or NDJSON');
}

function parseNdjson(text: string): BodyItem[] {
  const items: BodyItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    try {
      items.push({ ok: true, raw: parseJson(line), line: i + 1 });
    } catch (err) {
      items.push({ ok: false, error: `line ${i + 1} is not JSON: ${(err as Error).message}`, text: line, line: i + 1 });
    }
  }
  if (items.length === 0) throw new BodyInvalidError('empty body: no NDJSON lines');
  return items;
}

/** A `\\uD800`-style escape can smuggle a lone surrogate into a string; UTF-8 (Avro, ClickHouse) cannot hold one. */
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/**
 * JSON.parse, with lone surrogates replaced by U+FFFD the way every later stage would
 * replace them anyway, so what the bus carries is exactly what was validated.
 */
function parseJson(text: string): unknown {
  const value: unknown = JSON.parse(text);
  return SURROGATE_ESCAPE.test(text) ? wellFormed(value) : value;
}

function wellFormed(value: unknown): unknown {
  if (typeof value === 'string') return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormed);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      // Defined, not assigned: `out['__proto__'] = v` would set the copy's prototype, so the
      // key would vanish and its value's fields would read as the event's own (found by fuzzing).
      Object.defineProperty(out, k.toWellFormed(), { value: wellFormed(v), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Strict UTF-8: invalid byte sequences are an error, not silently replaced text. */
function decodeUtf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new BodyInvalidError('body is not valid UTF-8');
  }
}

/** Undo Content-Encoding, refusing to inflate past `limit` bytes (a zip bomb is a 413, not an OOM). */
export function decodeContentEncoding(body: Buffer, encoding: string | undefined, limit: number): Buffer {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  if (enc === '' || enc === 'identity') return body;
  try {
    if (enc === 'gzip' || enc === 'x-gzip') return gunzipSync(body, { maxOutputLength: limit });
    if (enc === 'deflate') return inflateSync(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) throw new BodyTooLargeError(limit);
    throw new BodyInvalidError(`cannot decode ${enc} body: ${(err as Error).message}`);
  }
  throw new BodyInvalidError(`unsupported Content-Encoding: ${enc} (use gzip, deflate or none)`);
}
