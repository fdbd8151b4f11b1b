/**
 * The operator API (8701): hosted by the responder in distributed mode and by `runwatch up`.
 * Serves /healthz, /metrics, the evidence read routes, approvals and containment; every
 * request under /v1/ is written to the audit trail with who made it.
 */
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../evidence/audit.js';
import { Redactor } from '../evidence/redact.js';
import type { Config } from '../shared/config/schema.js';
import { createAuthenticator } from '../shared/http/auth.js';
import { createHttpServer } from '../shared/http/server.js';
import type { Logger } from '../shared/log.js';
import type { Registry } from '../shared/metrics.js';
import type { Store } from '../shared/store/clickhouse.js';
import type { ContainmentControl } from './containment.js';
import type { Responder } from './responder.js';
import { registerApprovalRoutes } from './routes/approvals.js';
import { registerContainmentRoutes } from './routes/containment.js';
import { registerEvidenceRoutes } from './routes/evidence.js';

export interface OperatorApiOptions {
  config: Config;
  log: Logger;
  registry: Registry;
  store: Store;
  audit: AuditLog;
  /** The playbook runner and containment control; without them only the evidence routes are served. */
  responder?: Responder;
  containment?: ContainmentControl;
  health: () => Record<string, unknown> & { ok: boolean };
}

export function createOperatorApi(options: OperatorApiOptions): FastifyInstance {
  const app = createHttpServer({
    log: options.log,
    bodyLimit: options.config.api.body_limit_bytes,
    registry: options.registry,
    authenticate: createAuthenticator(options.config.api.tokens),
    rateLimit: { server: 'api', limit: options.config.api.rate_limit },
    health: options.health,
  });
  // The audit row keeps what was asked, as evidence rows keep what was sent: redacted. An
  // operator who pastes a raw key into a filter or a release must not store it.
  const redactor = new Redactor(options.config.evidence.redaction);
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url;
    if (!route?.startsWith('/v1/')) return;
    const tenant = req.tenant ?? '*';
    const redact = (value: unknown): unknown =>
      typeof value === 'string' ? redactor.text(tenant, value).value : Array.isArray(value) ? value.map(redact) : value;
    options.audit.record({
      actor: req.actor ?? 'anonymous',
      tenant,
      via: 'api',
      action: `${req.method} ${route}`,
      target: redact(Object.values((req.params ?? {}) as Record<string, string>).join('/')) as string,
      params: Object.fromEntries(Object.entries((req.query ?? {}) as Record<string, unknown>).map(([k, v]) => [k, redact(v)])),
      status: reply.statusCode,
      source_ip: req.ip,
    });
  });
  registerEvidenceRoutes(app, { store: options.store, maxPageSize: options.config.api.max_page_size });
  if (options.responder) registerApprovalRoutes(app, options.responder);
  if (options.containment) registerContainmentRoutes(app, options.containment);
  return app;
}
