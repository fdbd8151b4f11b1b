/**
 * What the SDK reports through `onError`. It never throws these into the app's event calls:
 * telemetry must not break the thing it observes. The guard (guard.ts) is the exception on
 * purpose: it is a security control, and its errors are how it says no.
 */

/** Stable reason of a `RunwatchSdkError`, in the project's `RW_ERR_*` catalogue style so a log line can be searched. */
export type RunwatchSdkErrorCode =
  | 'RW_ERR_SDK_DELIVERY'
  | 'RW_ERR_SDK_REJECTED'
  | 'RW_ERR_SDK_QUEUE_OVERFLOW'
  | 'RW_ERR_SDK_NOT_SERIALIZABLE'
  | 'RW_ERR_SDK_CLOSED'
  | 'RW_ERR_SDK_OPTIONS'
  | 'RW_ERR_SDK_DENIED'
  | 'RW_ERR_SDK_GUARD_UNAVAILABLE'
  | 'RW_ERR_SDK_CHECK_INVALID';

/**
 * Base of every SDK error. `status` and `body` are the collector's answer when there was one
 * (`null` after a network error or timeout); `eventIds` are the events concerned.
 *
 * @example
 * new RunwatchClient({ onError: (err) => log.warn({ code: err.code, status: err.status, body: err.body }, err.message) });
 */
export class RunwatchSdkError extends Error {
  readonly code: RunwatchSdkErrorCode;
  readonly status: number | null;
  readonly body: string | null;
  readonly eventIds: readonly string[];

  constructor(
    code: RunwatchSdkErrorCode,
    message: string,
    details: { status?: number | null; body?: string | null; eventIds?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = details.status ?? null;
    this.body = details.body ?? null;
    this.eventIds = details.eventIds ?? [];
  }
}

/**
 * A batch was given up on: the collector answered 400/401/413 (or another non-retriable
 * status), or every retry failed. `attempts` counts the requests made.
 *
 * @example
 * if (err instanceof DeliveryError && err.status === 401) rotateToken();
 */
export class DeliveryError extends RunwatchSdkError {
  readonly attempts: number;

  constructor(message: string, details: { status: number | null; body: string | null; eventIds: readonly string[]; attempts: number; cause?: unknown }) {
    super('RW_ERR_SDK_DELIVERY', message, details);
    this.attempts = details.attempts;
  }
}

/**
 * One event the collector refused in a 207 answer: its position in the batch, its id and why.
 *
 * @example
 * const r: RejectedEvent = { index: 1, event_id: '01J...', error: 'tool_call.name: Required' };
 */
export interface RejectedEvent {
  index: number;
  event_id: string | null;
  error: string;
}

/**
 * The collector accepted a batch in part (207); the rejected events went to its dead-letter
 * topic and are not retried, since sending them again would fail the same way.
 *
 * @example
 * if (err instanceof RejectedEventsError) for (const r of err.rejected) console.warn(r.event_id, r.error);
 */
export class RejectedEventsError extends RunwatchSdkError {
  readonly rejected: readonly RejectedEvent[];

  constructor(rejected: readonly RejectedEvent[], details: { status: number; body: string }) {
    const first = rejected[0];
    const sample = first ? `: ${first.error}` : '';
    super('RW_ERR_SDK_REJECTED', `collector rejected ${rejected.length} event(s)${sample}`, {
      ...details,
      eventIds: rejected.flatMap((r) => (r.event_id === null ? [] : [r.event_id])),
    });
    this.rejected = rejected;
  }
}

/**
 * More than `maxQueue` events were waiting, so the oldest were dropped. Drops of one burst
 * are reported once; `dropped` is that burst's count, `stats().dropped` the running total.
 *
 * @example
 * if (err instanceof QueueOverflowError) metrics.increment('runwatch.dropped', err.dropped);
 */
export class QueueOverflowError extends RunwatchSdkError {
  readonly dropped: number;

  constructor(dropped: number, eventIds: readonly string[]) {
    super('RW_ERR_SDK_QUEUE_OVERFLOW', `queue full: dropped the ${dropped} oldest event(s)`, { eventIds });
    this.dropped = dropped;
  }
}

/**
 * Why the collector denied an action: a containment of the agent, key or session, or an
 * inline rule. `until` is ISO-8601, null while it lasts until released.
 *
 * @example
 * const r: DenyReason = { type: 'quarantined_agent', subject: 'bot-1', reason: 'injection then send_email', detection_id: 'det_…', until: null };
 */
export interface DenyReason {
  type: 'quarantined_agent' | 'revoked_key' | 'blocked_session' | 'inline_rule';
  /** The agent id, key id (fingerprint) or session id; for `inline_rule`, the rule id. */
  subject: string;
  reason: string;
  detection_id: string | null;
  until: string | null;
  rule_id?: string;
}

/**
 * The guard's answer: the collector denied the action. Do not run the tool.
 *
 * @example
 * try { await guard.check({ name: 'send_email', arguments: { to } }); } catch (err) {
 *   if (err instanceof RunwatchDeniedError) return `blocked: ${err.reasons.map((r) => r.reason).join('; ')}`;
 *   throw err;
 * }
 */
export class RunwatchDeniedError extends RunwatchSdkError {
  readonly reasons: readonly DenyReason[];

  constructor(reasons: readonly DenyReason[], details: { eventIds: readonly string[] }) {
    const first = reasons[0];
    super('RW_ERR_SDK_DENIED', `runwatch denied the action${first ? `: ${first.type} ${first.subject} (${first.reason})` : ''}`, { status: 200, ...details });
    this.reasons = reasons;
  }
}

/**
 * The guard could not get a verdict: network error, timeout, or a 5xx (a collector still
 * loading its containment state answers 503). Thrown unless the guard was built with
 * `failOpen: true`, which allows the action and reports this through `onError` instead.
 *
 * @example
 * if (err instanceof GuardUnavailableError) alertOps('runwatch collector unreachable: tool calls are blocked');
 */
export class GuardUnavailableError extends RunwatchSdkError {
  constructor(message: string, details: { status: number | null; body: string | null; eventIds: readonly string[]; cause?: unknown }) {
    super('RW_ERR_SDK_GUARD_UNAVAILABLE', message, details);
  }
}
