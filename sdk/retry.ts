/**
 * When to retry a request and how long to wait: exponential backoff with full jitter (so
 * many clients recovering from the same outage do not retry in lockstep), or the
 * collector's `Retry-After` when it sent one (503 when its spool is full, 429).
 */

/** Longest single wait, whatever the backoff or `Retry-After` say: an exiting app waits on it. */
export const MAX_RETRY_DELAY_MS = 30_000;

/** Statuses worth another try: overload and server-side failures. Other 4xx would fail again. */
export function isRetriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Full jitter: uniform in [0, min(cap, base * 2^attempt)); `attempt` counts from 0. */
export function backoffMs(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

/** `Retry-After` in ms (delay-seconds or an HTTP date), capped; `null` when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.min(MAX_RETRY_DELAY_MS, Math.round(Number(trimmed) * 1000));
  const date = Date.parse(trimmed);
  if (!Number.isFinite(date)) return null;
  return Math.min(MAX_RETRY_DELAY_MS, Math.max(0, date - now));
}

/** A plain timer, deliberately not unref'd: pending telemetry should keep an exiting app alive until delivered or given up. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
