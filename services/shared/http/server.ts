/**
 * The HTTP server base both runwatch servers share (collector on 8700, operator API on 8701):
 * raw-body parsing with a size limit, bearer-token auth, `/healthz`, `/metrics`, and one
 * error mapping from runwatch's error classes to status codes.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Registry } from 'prom-client';
import { BodyInvalidError, BodyTooLargeError, NotFoundError, RunwatchError, SpoolFullError, StoreUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import type { RateLimitConfig } from '../config/schema.js';
import type { Authenticator } from './auth.js';
import { installRateLimit } from './rate-limit.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Tenant of the caller's token; null when the server runs without tokens. */
    tenant: string | null;
    /** Who is calling, for audit rows: the token's digest prefix, or null without tokens. */
    actor: string | null;
  }
}

export interface HttpServerOptions {
  log: Logger;
  bodyLimit: number;
  registry: Registry;
  authenticate: Authenticator;
  /** Extra fields for /healthz; `ok: false` answers 503. */
  health: () => Record<string, unknown> & { ok: boolean };
  /** Per-caller request rate limit (rate-limit.ts), with the server's name for /metrics; none when absent. */
  rateLimit?: { server: string; limit: RateLimitConfig };
}

/** Paths that answer without a token: probes and scrapers. */
const OPEN_PATHS = new Set(['/healthz', '/metrics']);

export function createHttpServer(options: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    loggerInstance: options.log as FastifyBaseLogger,
    // One line per request is too much at ingest rates; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimit,
    requestTimeout: 30_000,
    return503OnClosing: true,
  });
  app.decorateRequest('tenant', null);
  app.decorateRequest('actor', null);

  // Bodies are read as bytes and parsed by each route, so every content type gets our own
  // error messages (a 400 that says what is wrong, not a generic 415).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: options.bodyLimit }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (req, reply) => {
    if (OPEN_PATHS.has(req.routeOptions.url ?? '')) return;
    const result = options.authenticate(req.headers.authorization);
    if (!result.ok) {
      await reply.code(401).header('www-authenticate', 'Bearer').send({ error: result.reason, code: 'RW_ERR_UNAUTHORIZED' });
      return reply;
    }
    req.tenant = result.tenant;
    req.actor = result.actor;
  });
  // After authentication: the limit counts per token.
  if (options.rateLimit) installRateLimit(app, { ...options.rateLimit, registry: options.registry, exempt: OPEN_PATHS });

  app.get('/healthz', async (_req, reply) => {
    const health = options.health();
    return reply.code(health.ok ? 200 : 503).send({ status: health.ok ? 'ok' : 'unavailable', ...health });
  });

  app.get('/metrics', async (_req, reply) => {
    return reply.header('content-type', options.registry.contentType).send(await options.registry.metrics());
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: `no route ${req.method} ${req.url}`, code: 'RW_ERR_NOT_FOUND' });
  });

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof SpoolFullError) {
      return reply.code(503).header('retry-after', '5').send({ error: err.message, code: err.code });
    }
    if (err instanceof BodyTooLargeError || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: `body larger than the ${options.bodyLimit}-byte limit`, code: 'RW_ERR_BODY_TOO_LARGE' });
    }
    if (err instanceof BodyInvalidError) return reply.code(400).send({ error: err.message, code: err.code });
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      // A Content-Type that is no media type at all (empty, `;`, `a/b/c`) is refused by fastify
      // before any route reads the body, with a bare "Unsupported Media Type": say what is wrong.
      const sent = JSON.stringify((req.headers['content-type'] ?? '').slice(0, 100));
      return reply.code(415).send({ error: `Content-Type ${sent} is not a media type (type/subtype, e.g. application/json)`, code: 'RW_ERR_BODY_INVALID' });
    }
    if (err instanceof NotFoundError) return reply.code(404).send({ error: err.message, code: err.code });
    if (err instanceof StoreUnavailableError) {
      req.log.warn({ err: err.message }, 'evidence store unavailable');
      return reply.code(503).header('retry-after', '5').send({ error: 'the evidence store is unavailable; try again shortly', code: err.code });
    }
    if (err instanceof RunwatchError && !err.retriable) return reply.code(400).send({ error: err.message, code: err.code });
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.code(err.statusCode).send({ error: err.message, code: err.code ?? 'RW_ERR_BAD_REQUEST' });
    }
    req.log.error({ err }, 'request failed');
    return reply.code(500).send({ error: 'internal error', code: 'RW_ERR_INTERNAL' });
  });

  return app;
}

/** The raw body of a request as bytes (empty for a request without one). */
export function rawBody(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/**
 * The /healthz and /metrics server of a service without an API of its own (detector workers,
 * evidence writers), listening on `host:port`; port 0 serves none and returns null.
 */
export async function startProbeServer(
  options: Pick<HttpServerOptions, 'log' | 'registry' | 'health'> & { host: string; port: number },
): Promise<FastifyInstance | null> {
  if (options.port === 0) return null;
  const app = createHttpServer({ ...options, bodyLimit: 1024, authenticate: () => ({ ok: true, tenant: null, actor: null }) });
  await app.listen({ host: options.host, port: options.port });
  return app;
}
