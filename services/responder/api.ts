/**
 * The operator API (8701): hosted by the responder in distributed mode and by `runwatch up`.
 * This first version serves /healthz and /metrics; the read API, containment and approvals
 * routes register here as they land.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../shared/config/schema.js';
import { createAuthenticator } from '../shared/http/auth.js';
import { createHttpServer } from '../shared/http/server.js';
import type { Logger } from '../shared/log.js';
import type { Registry } from '../shared/metrics.js';

export interface OperatorApiOptions {
  config: Config;
  log: Logger;
  registry: Registry;
  health: () => Record<string, unknown> & { ok: boolean };
}

export function createOperatorApi(options: OperatorApiOptions): FastifyInstance {
  return createHttpServer({
    log: options.log,
    bodyLimit: options.config.api.body_limit_bytes,
    registry: options.registry,
    authenticate: createAuthenticator(options.config.api.tokens),
    health: options.health,
  });
}
