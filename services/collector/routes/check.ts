/**
 * POST /v1/check (DESIGN.md): one event, usually a proposed `tool_call`, validated exactly as
 * POST /v1/events validates it, answered `200 {"verdict": "allow" | "deny", "reasons": [...]}`
 * from the collector's local state: containment of the event's agent, key or session, and
 * the inline rules. Nothing is published: a check is a question, not telemetry.
 *
 * 400 when the body is not one JSON event or the event is invalid (the error names the
 * field); 413 over the check body limit; 401 bad token; 503 + Retry-After while the
 * containment state is still loading.
 */
import type { FastifyInstance } from 'fastify';
import { BodyInvalidError, BodyTooLargeError } from '../../shared/errors.js';
import { parseEvent } from '../../shared/events/normalize.js';
import { rawBody } from '../../shared/http/server.js';
import { decodeContentEncoding, parseEventsBody } from '../body.js';
import type { Enforcer } from '../containment/enforcer.js';
import { ContainmentNotReadyError } from '../containment/errors.js';
import type { ContainmentMetrics } from '../containment/metrics.js';

/** A check carries one event: 1 MiB is room for large tool arguments, and bounds the work a check can cause. */
export const CHECK_BODY_LIMIT = 1024 * 1024;

export interface CheckRouteDeps {
  enforcer: Enforcer;
  metrics: ContainmentMetrics;
  /** False until the containment topic has been read (ContainmentFollower.isReady). */
  isReady: () => boolean;
  /** The collector's body limit; the check limit is the smaller of the two. */
  bodyLimit: number;
}

export function registerCheckRoute(app: FastifyInstance, deps: CheckRouteDeps): void {
  const limit = Math.min(CHECK_BODY_LIMIT, deps.bodyLimit);
  app.post('/v1/check', async (req, reply) => {
    const started = performance.now();
    if (!deps.isReady()) {
      const err = new ContainmentNotReadyError();
      return reply.code(503).header('retry-after', '1').send({ error: err.message, code: err.code });
    }
    let raw: unknown;
    try {
      raw = readOneEvent(rawBody(req), req.headers['content-encoding'], limit);
    } catch (err) {
      if (!(err instanceof BodyTooLargeError)) throw err;
      return reply.code(413).send({ error: `body larger than the ${limit}-byte limit of /v1/check`, code: err.code });
    }
    const parsed = parseEvent(raw, { receivedAt: Date.now(), tenant: req.tenant });
    if (!parsed.ok) return reply.code(400).send({ error: parsed.error, code: 'RW_ERR_EVENT_INVALID' });
    const verdict = deps.enforcer.check(parsed.event);
    deps.metrics.checks.inc({ verdict: verdict.verdict });
    deps.metrics.checkSeconds.observe((performance.now() - started) / 1000);
    return reply.code(200).send(verdict);
  });
}

/** The body as one raw event object; a JSON array or NDJSON is refused (one check, one event). */
function readOneEvent(body: Buffer, contentEncoding: string | undefined, limit: number): unknown {
  if (body.length > limit) throw new BodyTooLargeError(limit);
  const decoded = decodeContentEncoding(body, contentEncoding, limit);
  const items = parseEventsBody(decoded, 'application/json');
  const first = items[0];
  if (items.length !== 1 || !first?.ok || startsWithBracket(decoded)) {
    throw new BodyInvalidError('/v1/check takes one event object (not an array or NDJSON)');
  }
  return first.raw;
}

function startsWithBracket(body: Buffer): boolean {
  for (const byte of body) {
    if (byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d) continue;
    return byte === 0x5b; // '['
  }
  return false;
}
