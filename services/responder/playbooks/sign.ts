/**
 * Signed notify bodies. The sender adds two headers:
 *
 *   X-Runwatch-Timestamp: <unix seconds>
 *   X-Runwatch-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>" with the shared secret>
 *
 * The timestamp is inside what is signed, so a captured request cannot be replayed later with a
 * fresh timestamp. A receiver: reads the raw body bytes (before any JSON parsing), recomputes
 * the HMAC over `${timestamp}.${body}`, compares in constant time, and refuses a timestamp more
 * than 5 minutes from its clock. `verifySignature` below is exactly that.
 *
 * @example
 * const headers = signBody(body, process.env.RUNWATCH_NOTIFY_SECRET!, Date.now());
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Runwatch-Signature';
export const TIMESTAMP_HEADER = 'X-Runwatch-Timestamp';
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

function hmac(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The two headers for a body sent at `nowMs`. */
export function signBody(body: string, secret: string, nowMs: number): Record<string, string> {
  const timestamp = String(Math.floor(nowMs / 1000));
  return { [TIMESTAMP_HEADER]: timestamp, [SIGNATURE_HEADER]: `sha256=${hmac(secret, timestamp, body)}` };
}

export type Verification = { ok: true } | { ok: false; reason: string };

/** What a receiver does with a request: the raw body and the two header values. */
export function verifySignature(input: {
  body: string;
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  nowMs: number;
  toleranceMs?: number;
}): Verification {
  const { body, secret, timestamp, signature, nowMs } = input;
  if (!timestamp || !/^\d+$/.test(timestamp)) return { ok: false, reason: `missing or malformed ${TIMESTAMP_HEADER}` };
  if (!signature?.startsWith('sha256=')) return { ok: false, reason: `missing or malformed ${SIGNATURE_HEADER}` };
  if (Math.abs(nowMs - Number(timestamp) * 1000) > (input.toleranceMs ?? DEFAULT_TOLERANCE_MS)) return { ok: false, reason: 'timestamp outside the tolerance (replay?)' };
  const expected = Buffer.from(hmac(secret, timestamp, body), 'hex');
  const given = Buffer.from(signature.slice('sha256='.length), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}
