/**
 * POST /v1/events (DESIGN.md): one event, a JSON array, or NDJSON.
 * 202 {accepted} when all are valid; 207 {accepted, rejected:[{index, error}]} when some are
 * not (those go to the dead-letter topic); 400 not JSON; 413 too large; 401 bad token;
 * 503 + Retry-After only when Kafka is down and the spool is full.
 */
import type { FastifyInstance } from 'fastify';
import { rawBody } from '../../shared/http/server.js';
import { decodeContentEncoding, parseEventsBody } from '../body.js';
import { ingest, type EventMarker } from '../ingest.js';
import type { CollectorMetrics } from '../metrics.js';
import type { Publisher } from '../publisher.js';

export interface EventsRouteDeps {
  publisher: Publisher;
  metrics: CollectorMetrics;
  bodyLimit: number;
  /** Marks accepted events of contained subjects (containment/enforcer.ts). */
  mark?: EventMarker;
}

export function registerEventsRoute(app: FastifyInstance, deps: EventsRouteDeps): void {
  app.post('/v1/events', async (req, reply) => {
    const body = decodeContentEncoding(rawBody(req), req.headers['content-encoding'], deps.bodyLimit);
    const items = parseEventsBody(body, req.headers['content-type']);
    const result = ingest(items, { receivedAt: Date.now(), tenant: req.tenant }, deps.mark);
    await deps.publisher.publish(result.records);
    for (const e of result.accepted) deps.metrics.accepted.inc({ kind: e.kind });
    deps.metrics.rejected.inc(result.rejected.length);
    if (result.rejected.length === 0) return reply.code(202).send({ accepted: result.accepted.length });
    return reply.code(207).send({ accepted: result.accepted.length, rejected: result.rejected });
  });
}
