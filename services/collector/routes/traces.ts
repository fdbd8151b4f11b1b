/**
 * POST /v1/traces: OTLP/HTTP trace exports (protobuf or JSON). GenAI spans become v1 events
 * on the same path as POST /v1/events; the answer is an OTLP ExportTraceServiceResponse in
 * the request's encoding, with partial success naming rejected spans.
 */
import type { FastifyInstance } from 'fastify';
import { BodyInvalidError } from '../../shared/errors.js';
import { rawBody } from '../../shared/http/server.js';
import { decodeContentEncoding } from '../body.js';
import { withRefused } from '../ingest.js';
import type { CollectorMetrics } from '../metrics.js';
import { encodeTraceError, encodeTraceResponse, ingestTraceRequest, otlpEncodingOf } from '../otlp/index.js';
import type { Publisher } from '../publisher.js';

export interface TracesRouteDeps {
  publisher: Publisher;
  metrics: CollectorMetrics;
  bodyLimit: number;
  /** Largest event, Avro-encoded (collector.max_event_bytes). */
  maxEventBytes: number;
}

export function registerTracesRoute(app: FastifyInstance, deps: TracesRouteDeps): void {
  app.post('/v1/traces', async (req, reply) => {
    const contentType = req.headers['content-type'] ?? '';
    const encoding = otlpEncodingOf(contentType);
    if (encoding === null) {
      return reply.code(415).send({ error: 'OTLP/HTTP takes application/x-protobuf or application/json', code: 'RW_ERR_BODY_INVALID' });
    }
    const body = decodeContentEncoding(rawBody(req), req.headers['content-encoding'], deps.bodyLimit);
    let result;
    try {
      result = ingestTraceRequest(body, contentType, { receivedAt: Date.now(), tenant: req.tenant }, deps.maxEventBytes);
    } catch (err) {
      if (!(err instanceof BodyInvalidError)) throw err;
      const res = encodeTraceError(encoding, err.message);
      return reply.code(400).header('content-type', res.contentType).send(res.body);
    }
    // A record Kafka refused after the edge check is dead-lettered and counted, not reported to the exporter.
    const counted = withRefused(result, (await deps.publisher.publish(result.records)).refused);
    for (const e of counted.accepted) deps.metrics.accepted.inc({ kind: e.kind });
    deps.metrics.rejected.inc(counted.rejected.length);
    const res = encodeTraceResponse(encoding, result.partialSuccess);
    return reply.code(200).header('content-type', res.contentType).send(res.body);
  });
}
