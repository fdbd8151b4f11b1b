/**
 * From the "wire object" of an ExportTraceServiceRequest to the plain `OtlpTraceRequest`.
 *
 * Both encodings arrive here as the same lowerCamelCase object tree: OTLP/JSON straight from
 * JSON.parse, protobuf from protobufjs' `toObject` (longs as decimal strings). They differ
 * only where OTLP/JSON deviates from the binary form: trace/span ids are hex strings instead
 * of bytes, `bytesValue` is base64, int64 may be a number or a string, enums may be names.
 * Everything a sender controls is type-checked here, so a body of the wrong shape becomes
 * a `BodyInvalidError` naming the field, never a TypeError further down.
 */
import { BodyInvalidError } from '../../shared/errors.js';
import type {
  OtlpAttributes,
  OtlpEncoding,
  OtlpResourceSpans,
  OtlpScopeSpans,
  OtlpSpan,
  OtlpSpanEvent,
  OtlpStatus,
  OtlpStatusCode,
  OtlpTraceRequest,
  OtlpValue,
} from './types.js';

/**
 * Deepest nesting of arrays / key-value lists inside one attribute value. Real GenAI
 * attributes (messages → parts → arguments) stay far below; deeper is an attack on the
 * stack, not data. protobufjs stops at about the same depth on its own (recursionLimit 100
 * messages ≈ 31 nested kvlists).
 */
export const MAX_VALUE_DEPTH = 32;

const SPAN_KINDS: Readonly<Record<string, number>> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};
const STATUS_CODES: Readonly<Record<string, number>> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2 };
const STATUS_NAMES: readonly OtlpStatusCode[] = ['unset', 'ok', 'error'];

const NS_PER_MS = 1_000_000n;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

type WireMessage = Record<string, unknown>;

/** Reads one request; `encoding` decides how ids and bytes are spelled. */
class WireReader {
  constructor(private readonly encoding: OtlpEncoding) {}

  request(wire: unknown): OtlpTraceRequest {
    const m = this.message(wire, '');
    return {
      resourceSpans: this.list(m.resourceSpans, 'resourceSpans').map((rs, i) =>
        this.resourceSpans(rs, `resourceSpans[${i}]`),
      ),
    };
  }

  private resourceSpans(wire: unknown, path: string): OtlpResourceSpans {
    const m = this.message(wire, path);
    const resource = this.message(m.resource, `${path}.resource`);
    return {
      resource: this.attributes(resource.attributes, `${path}.resource.attributes`, 0),
      scopeSpans: this.list(m.scopeSpans, `${path}.scopeSpans`).map((ss, i) =>
        this.scopeSpans(ss, `${path}.scopeSpans[${i}]`),
      ),
    };
  }

  private scopeSpans(wire: unknown, path: string): OtlpScopeSpans {
    const m = this.message(wire, path);
    const scope = this.message(m.scope, `${path}.scope`);
    return {
      scope: { name: this.string(scope.name, `${path}.scope.name`), version: this.string(scope.version, `${path}.scope.version`) },
      spans: this.list(m.spans, `${path}.spans`).map((s, i) => this.span(s, `${path}.spans[${i}]`)),
    };
  }

  private span(wire: unknown, path: string): OtlpSpan {
    const m = this.message(wire, path);
    const traceId = this.id(m.traceId, 16, `${path}.traceId`);
    const spanId = this.id(m.spanId, 8, `${path}.spanId`);
    if (traceId === null) this.fail(`${path}.traceId`, 'required');
    if (spanId === null) this.fail(`${path}.spanId`, 'required');
    return {
      traceId,
      spanId,
      parentSpanId: this.id(m.parentSpanId, 8, `${path}.parentSpanId`),
      name: this.string(m.name, `${path}.name`),
      kind: this.enumValue(m.kind, SPAN_KINDS, `${path}.kind`),
      startTimeMs: this.timeMs(m.startTimeUnixNano, `${path}.startTimeUnixNano`),
      endTimeMs: this.timeMs(m.endTimeUnixNano, `${path}.endTimeUnixNano`),
      attributes: this.attributes(m.attributes, `${path}.attributes`, 0),
      events: this.list(m.events, `${path}.events`).map((e, i) => this.spanEvent(e, `${path}.events[${i}]`)),
      status: this.status(m.status, `${path}.status`),
    };
  }

  private spanEvent(wire: unknown, path: string): OtlpSpanEvent {
    const m = this.message(wire, path);
    return {
      name: this.string(m.name, `${path}.name`),
      timeMs: this.timeMs(m.timeUnixNano, `${path}.timeUnixNano`),
      attributes: this.attributes(m.attributes, `${path}.attributes`, 0),
    };
  }

  private status(wire: unknown, path: string): OtlpStatus {
    const m = this.message(wire, path);
    const code = this.enumValue(m.code, STATUS_CODES, `${path}.code`);
    // Unknown future codes read as unset: they must not turn a call into an error.
    return { code: STATUS_NAMES[code] ?? 'unset', message: this.string(m.message, `${path}.message`) };
  }

  /** A repeated KeyValue (span, resource or kvlist attributes) as a plain object; a repeated key keeps its last value. */
  private attributes(wire: unknown, path: string, depth: number): OtlpAttributes {
    const out: OtlpAttributes = {};
    this.list(wire, path).forEach((kv, i) => {
      const m = this.message(kv, `${path}[${i}]`);
      const key = this.string(m.key, `${path}[${i}].key`);
      const value = this.value(m.value, `${path}[${i}].value`, depth);
      // A key named __proto__ must become data, not the object's prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      else out[key] = value;
    });
    return out;
  }

  private value(wire: unknown, path: string, depth: number): OtlpValue {
    if (depth > MAX_VALUE_DEPTH) this.fail(path, `attribute value nested deeper than ${MAX_VALUE_DEPTH} levels`);
    const m = this.message(wire, path);
    if (m.stringValue != null) return this.string(m.stringValue, `${path}.stringValue`);
    if (m.boolValue != null) {
      if (typeof m.boolValue !== 'boolean') this.fail(`${path}.boolValue`, 'expected true or false');
      return m.boolValue;
    }
    if (m.intValue != null) return Number(this.integer(m.intValue, `${path}.intValue`, true));
    if (m.doubleValue != null) return this.double(m.doubleValue, `${path}.doubleValue`);
    if (m.arrayValue != null) {
      const array = this.message(m.arrayValue, `${path}.arrayValue`);
      return this.list(array.values, `${path}.arrayValue.values`).map((v, i) =>
        this.value(v, `${path}.arrayValue.values[${i}]`, depth + 1),
      );
    }
    if (m.kvlistValue != null) {
      const kvlist = this.message(m.kvlistValue, `${path}.kvlistValue`);
      return this.attributes(kvlist.values, `${path}.kvlistValue.values`, depth + 1);
    }
    if (m.bytesValue != null) return this.bytes(m.bytesValue, `${path}.bytesValue`);
    return null;
  }

  /** Trace ids are 16 bytes, span ids 8: bytes in protobuf, hex in JSON. Empty means absent. */
  private id(wire: unknown, size: 8 | 16, path: string): string | null {
    if (wire == null) return null;
    if (this.encoding === 'protobuf') {
      if (!(wire instanceof Uint8Array)) this.fail(path, 'expected bytes');
      if (wire.length === 0) return null;
      if (wire.length !== size) this.fail(path, `expected ${size} bytes, got ${wire.length}`);
      return Buffer.from(wire.buffer, wire.byteOffset, wire.length).toString('hex');
    }
    if (typeof wire !== 'string') this.fail(path, `expected a string of ${size * 2} hex digits`);
    if (wire === '') return null;
    if (wire.length !== size * 2 || !/^[0-9a-fA-F]+$/.test(wire)) this.fail(path, `expected ${size * 2} hex digits`);
    return wire.toLowerCase();
  }

  private bytes(wire: unknown, path: string): Uint8Array {
    if (this.encoding === 'protobuf') {
      if (!(wire instanceof Uint8Array)) this.fail(path, 'expected bytes');
      return Uint8Array.from(wire);
    }
    if (typeof wire !== 'string' || !BASE64.test(wire)) this.fail(path, 'expected base64');
    return Uint8Array.from(Buffer.from(wire, 'base64'));
  }

  /** Nanoseconds since the epoch → ms; 0 (unset) → null. */
  private timeMs(wire: unknown, path: string): number | null {
    const ns = this.integer(wire, path, false);
    return ns === 0n ? null : Number(ns / NS_PER_MS);
  }

  /** int64 / fixed64: a decimal string or a JSON number. */
  private integer(wire: unknown, path: string, signed: boolean): bigint {
    if (wire == null) return 0n;
    if (typeof wire === 'number' && Number.isInteger(wire) && (signed || wire >= 0)) return BigInt(wire);
    if (typeof wire === 'string' && (signed ? /^-?\d{1,20}$/ : /^\d{1,20}$/).test(wire)) return BigInt(wire);
    this.fail(path, signed ? 'expected an integer' : 'expected a non-negative integer');
  }

  /** double: a JSON number, or one of the strings proto3 JSON uses for non-finite values. */
  private double(wire: unknown, path: string): number {
    if (typeof wire === 'number') return wire;
    if (wire === 'NaN') return Number.NaN;
    if (wire === 'Infinity') return Number.POSITIVE_INFINITY;
    if (wire === '-Infinity') return Number.NEGATIVE_INFINITY;
    this.fail(path, 'expected a number');
  }

  /** Enums are integers in OTLP; names are accepted too, as the proto3 JSON mapping allows. */
  private enumValue(wire: unknown, names: Readonly<Record<string, number>>, path: string): number {
    if (wire == null) return 0;
    if (typeof wire === 'number' && Number.isInteger(wire)) return wire;
    if (typeof wire === 'string' && Object.hasOwn(names, wire)) return names[wire] ?? 0;
    this.fail(path, 'expected an enum number');
  }

  private message(wire: unknown, path: string): WireMessage {
    // An absent or null sub-message means "all fields default", as in proto3.
    if (wire == null) return {};
    if (typeof wire !== 'object' || Array.isArray(wire) || wire instanceof Uint8Array) {
      this.fail(path || 'body', 'expected an object');
    }
    return wire as WireMessage;
  }

  private list(wire: unknown, path: string): unknown[] {
    if (wire == null) return [];
    if (!Array.isArray(wire)) this.fail(path, 'expected an array');
    return wire;
  }

  private string(wire: unknown, path: string): string {
    if (wire == null) return '';
    if (typeof wire !== 'string') this.fail(path, 'expected a string');
    return wire;
  }

  private fail(path: string, reason: string): never {
    throw new BodyInvalidError(`OTLP ${this.encoding} body: ${path}: ${reason}`);
  }
}

/** Read a decoded request object (see the module comment) into the plain shape. Throws `BodyInvalidError`. */
export function normalizeTraceRequest(wire: unknown, encoding: OtlpEncoding): OtlpTraceRequest {
  return new WireReader(encoding).request(wire);
}
