/**
 * Delivers one batch: sends it, retries what is worth retrying, and turns the collector's
 * answer into an outcome. A retried batch is the same bytes with the same event ids, so a
 * request that reached the collector before timing out is deduplicated downstream.
 */
import { DeliveryError, RejectedEventsError, type RejectedEvent } from './errors.js';
import { backoffMs, isRetriableStatus, parseRetryAfter, sleep } from './retry.js';
import type { HttpAnswer, Send } from './transport.js';

export interface Batch {
  /** The JSON array sent as the request body. */
  body: string;
  /** Event ids in body order: a 207's `index` points into this list. */
  eventIds: readonly string[];
}

export interface RetryPolicy {
  maxRetries: number;
  retryBaseMs: number;
}

export type BatchOutcome =
  | { type: 'accepted' }
  | { type: 'partial'; error: RejectedEventsError }
  | { type: 'failed'; error: DeliveryError };

export async function deliverBatch(batch: Batch, send: Send, policy: RetryPolicy): Promise<BatchOutcome> {
  for (let attempt = 0; ; attempt++) {
    let answer: HttpAnswer;
    try {
      answer = await send(batch.body);
    } catch (cause) {
      if (attempt >= policy.maxRetries) {
        return failed(batch, `collector unreachable after ${attempt + 1} attempt(s): ${describe(cause)}`, null, null, attempt + 1, cause);
      }
      await sleep(backoffMs(attempt, policy.retryBaseMs));
      continue;
    }

    if (answer.status === 207) return { type: 'partial', error: rejectedFrom(batch, answer) };
    if (answer.status >= 200 && answer.status < 300) return { type: 'accepted' };
    if (!isRetriableStatus(answer.status) || attempt >= policy.maxRetries) {
      const why = isRetriableStatus(answer.status) ? `after ${attempt + 1} attempt(s)` : '(not retried)';
      return failed(batch, `collector answered ${answer.status} ${why}`, answer.status, answer.body, attempt + 1);
    }
    await sleep(parseRetryAfter(answer.retryAfter) ?? backoffMs(attempt, policy.retryBaseMs));
  }
}

function failed(batch: Batch, message: string, status: number | null, body: string | null, attempts: number, cause?: unknown): BatchOutcome {
  return { type: 'failed', error: new DeliveryError(message, { status, body, eventIds: batch.eventIds, attempts, cause }) };
}

/** Reads `{"accepted": n, "rejected": [{"index": i, "error": "..."}]}`; tolerant of a malformed answer. */
function rejectedFrom(batch: Batch, answer: HttpAnswer): RejectedEventsError {
  let entries: unknown = [];
  try {
    entries = (JSON.parse(answer.body) as { rejected?: unknown }).rejected;
  } catch {
    // Unreadable 207: report it with an empty list; the body is on the error for whoever looks.
  }
  const rejected: RejectedEvent[] = [];
  for (const entry of Array.isArray(entries) ? (entries as unknown[]) : []) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { index, error } = entry as { index?: unknown; error?: unknown };
    if (typeof index !== 'number') continue;
    rejected.push({ index, event_id: batch.eventIds[index] ?? null, error: typeof error === 'string' ? error : 'rejected' });
  }
  return new RejectedEventsError(rejected, { status: answer.status, body: answer.body });
}

function describe(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  // fetch wraps the socket error (ECONNREFUSED, ...) in a generic "fetch failed" TypeError.
  const inner = cause.cause instanceof Error ? `: ${cause.cause.message}` : '';
  return `${cause.message}${inner}`;
}
