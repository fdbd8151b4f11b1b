/**
 * Every error runwatch raises on purpose, with a stable code a user can search for
 * (`RW_ERR_*`, listed in docs/errors.md) and a `retriable` flag that consumers read to
 * decide between retrying and dead-lettering, the way kafkajs marks its own errors.
 */
export class RunwatchError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(code: string, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** A config value is missing or invalid; the message names the key and where it came from. */
export class ConfigError extends RunwatchError {
  constructor(message: string) {
    super('RW_ERR_CONFIG', message);
  }
}

/** An event failed validation at the edge; `path` is the field, e.g. `tool_call.name`. */
export class EventInvalidError extends RunwatchError {
  constructor(readonly path: string, reason: string) {
    super('RW_ERR_EVENT_INVALID', path ? `${path}: ${reason}` : reason);
  }
}

/** A request body that is not JSON / NDJSON at all, or is encoded in a way we do not read. */
export class BodyInvalidError extends RunwatchError {
  constructor(message: string) {
    super('RW_ERR_BODY_INVALID', message);
  }
}

/** A request body over the size limit (after decompression): HTTP 413. */
export class BodyTooLargeError extends RunwatchError {
  constructor(readonly limit: number) {
    super('RW_ERR_BODY_TOO_LARGE', `body larger than ${limit} bytes`);
  }
}

/**
 * One event is larger, once Avro-encoded, than the collector takes (collector.max_event_bytes,
 * kept under what Kafka takes in one message): it is rejected in the 207 and dead-lettered.
 */
export class EventTooLargeError extends RunwatchError {
  constructor(readonly bytes: number, readonly limit: number) {
    super('RW_ERR_EVENT_TOO_LARGE', `event too large: ${bytes} bytes once encoded, over the limit of ${limit} bytes per event (collector.max_event_bytes)`);
  }
}

/**
 * Kafka refused one record as too large (MESSAGE_TOO_LARGE: over the broker's
 * message.max.bytes or the topic's max.message.bytes). Never retriable: the same record fails
 * the same way. `index` is its place in the records given to `produce`: every record before it
 * is on Kafka, none after it was attempted (some may have landed anyway; duplicates are allowed).
 */
export class RecordTooLargeError extends RunwatchError {
  constructor(
    readonly index: number,
    readonly topic: string,
    readonly bytes: number,
    cause?: unknown,
  ) {
    super('RW_ERR_RECORD_TOO_LARGE', `Kafka refused a ${bytes}-byte record for ${topic} as too large (message.max.bytes / max.message.bytes)`, { cause });
  }
}

/** Bytes on a topic that are not a record of a schema we know. Never retriable: dead-letter them. */
export class DecodeError extends RunwatchError {
  constructor(message: string, cause?: unknown) {
    super('RW_ERR_DECODE', message, { cause });
  }
}

/** The bus (Kafka) did not take a produce request; retriable, the spool keeps the events meanwhile. */
export class BusUnavailableError extends RunwatchError {
  constructor(message: string, cause?: unknown) {
    super('RW_ERR_BUS_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/** The collector's disk spool has no room left: the collector answers 503 with Retry-After. */
export class SpoolFullError extends RunwatchError {
  constructor(readonly usedBytes: number, readonly maxBytes: number) {
    super('RW_ERR_SPOOL_FULL', `spool full: ${usedBytes} of ${maxBytes} bytes used`, { retriable: true });
  }
}

/** The evidence store (ClickHouse / chDB) could not be reached or refused a statement. */
export class StoreUnavailableError extends RunwatchError {
  constructor(message: string, cause?: unknown) {
    super('RW_ERR_STORE_UNAVAILABLE', message, { retriable: true, cause });
  }
}

/** A query parameter (a filter, a limit, a cursor) is invalid; the message names it. HTTP 400. */
export class QueryInvalidError extends RunwatchError {
  constructor(readonly param: string, reason: string) {
    super('RW_ERR_QUERY_INVALID', `${param}: ${reason}`);
  }
}

/** What was asked for does not exist, or belongs to another tenant (the two look alike). HTTP 404. */
export class NotFoundError extends RunwatchError {
  constructor(message: string) {
    super('RW_ERR_NOT_FOUND', message);
  }
}
