/**
 * POST /v1/events (DESIGN.md): one event, a JSON array, or NDJSON.
 * 202 {accepted} when all are valid; 207 {accepted, rejected:[{index, error}]} when some are
 * not, or are over the per-event size limit (those go to the dead-letter topic); 400 not JSON;
 * 413 body too large; 401 bad token;
 * 503 + Retry-After only when Kafka is down and the spool is full.
 */
import type { FastifyInstance } from 'fastify';
import { rawBody } from '../../shared/http/server.js';
import { decodeContentEncoding, parseEventsBody } from '../body.js';
import { ingest, withRefused, type EventMarker } from '../ingest.js';
import type { CollectorMetrics } from '../metrics.js';
import type { Publisher } from '../publisher.js';

export interface EventsRouteDeps {
  publisher: Publisher;
  metrics: CollectorMetrics;
  bodyLimit: number;
  /** Largest event, Avro-encoded (collector.max_event_bytes). */
  maxEventBytes: number;
  /** Marks accepted events of contained subjects (containment/enforcer.ts). */
  mark?: EventMarker;
}

export function registerEventsRoute(app: FastifyInstance, deps: EventsRouteDeps): void {
  app.post('/v1/events', async (req, reply) => {
    const body = decodeContentEncoding(rawBody(req), req.headers['content-encoding'], deps.bodyLimit);
    const items = parseEventsBody(body, req.headers['content-type']);
    const ingested = ingest(items, { receivedAt: Date.now(), tenant: req.tenant }, { mark: deps.mark, maxEventBytes: deps.maxEventBytes });
    // Records are one per item, so a record Kafka refused names its item.
    const result = withRefused(ingested, (await deps.publisher.publish(ingested.records)).refused);
    for (const e of result.accepted) deps.metrics.accepted.inc({ kind: e.kind });
    deps.metrics.rejected.inc(result.rejected.length);
    if (result.rejected.length === 0) return reply.code(202).send({ accepted: result.accepted.length });
    return reply.code(207).send({ accepted: result.accepted.length, rejected: result.rejected });
  });
}
