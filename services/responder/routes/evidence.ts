/**
 * The evidence read API (DESIGN.md "Operator API"):
 *   GET /v1/events?since=&until=&agent_id=&session_id=&key_id=&trace_id=&kind=&tenant=&limit=&cursor=
 *   GET /v1/detections?since=&until=&agent_id=&session_id=&rule_id=&severity=&tenant=&limit=&cursor=
 *   GET /v1/detections/:detection_id/timeline[?context=10m]
 *   GET /v1/actions?detection_id=   (the playbook steps run for it, every state change)
 * Lists answer a JSON array in time order; when there is more, the `X-Next-Cursor` header
 * (and a `Link: <…>; rel="next"`) gives the next page. A tenant's token reads its own tenant
 * only; another tenant's records look exactly like absent ones.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actionsOf, listDetections, listEvents, getDetection, evidenceEvents, incidentEvents, type Scope } from '../../evidence/read.js';
import { scrubIdentifier, scrubKeyId } from '../../shared/events/key-fingerprint.js';
import { EVENT_KINDS } from '../../shared/events/schema.js';
import { NotFoundError, QueryInvalidError } from '../../shared/errors.js';
import { SEVERITIES } from '../../shared/records.js';
import { parseDuration } from '../../shared/rules/duration.js';
import type { Store } from '../../shared/store/clickhouse.js';
import { parseTimePoint, TIME_POINT_HELP } from '../../shared/time.js';
import { formatPath } from '../../shared/validation.js';

export interface EvidenceRouteDeps {
  store: Store;
  maxPageSize: number;
}

const DEFAULT_LIMIT = 100;
/** Most events a timeline with context returns. */
const TIMELINE_LIMIT = 10_000;

const id = z.string().min(1).max(512);
/**
 * Filters on ids the collector fingerprints when they are credentials: an operator who pastes
 * the raw key (or bearer session) finds its events, stored under the fingerprint.
 */
const keyId = id.transform(scrubKeyId);
const sessionId = id.transform(scrubIdentifier);
const timePoint = z.string().transform((s, ctx) => {
  const ms = parseTimePoint(s);
  if (ms === null) ctx.addIssue({ code: 'custom', message: `expected ${TIME_POINT_HELP}` });
  return ms ?? 0;
});
const tenant = z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a tenant name');

function listQuery<T extends z.ZodRawShape>(maxPageSize: number, shape: T) {
  return z
    .object({
      since: timePoint.optional(),
      until: timePoint.optional(),
      tenant: tenant.optional(),
      limit: z.coerce.number().int().min(1).max(maxPageSize, `at most ${maxPageSize}`).default(DEFAULT_LIMIT),
      cursor: z.string().max(2048).optional(),
      ...shape,
    })
    .strict();
}

export function registerEvidenceRoutes(app: FastifyInstance, deps: EvidenceRouteDeps): void {
  const eventsQuery = listQuery(deps.maxPageSize, { agent_id: id.optional(), session_id: sessionId.optional(), key_id: keyId.optional(), trace_id: id.optional(), kind: z.enum(EVENT_KINDS).optional() });
  const detectionsQuery = listQuery(deps.maxPageSize, {
    agent_id: id.optional(),
    session_id: sessionId.optional(),
    rule_id: id.optional(),
    severity: z
      .string()
      .transform((s) => s.split(','))
      .pipe(z.array(z.enum(SEVERITIES)))
      .optional(),
  });
  const timelineQuery = z
    .object({
      context: z
        .string()
        .refine((s) => parseDuration(s) !== null, 'a duration such as 10m or 1h')
        .transform((s) => parseDuration(s)!)
        .optional(),
    })
    .strict();

  const actionsQuery = z.object({ detection_id: id, tenant: tenant.optional() }).strict();

  app.get('/v1/actions', async (req, reply) => {
    const q = parseQuery(actionsQuery, req.query);
    return reply.send(await actionsOf(deps.store, scopeOf(req, q.tenant), q.detection_id, deps.maxPageSize));
  });

  app.get('/v1/events', async (req, reply) => {
    const q = parseQuery(eventsQuery, req.query);
    const { limit, cursor, tenant: asked, ...filter } = q;
    const page = await listEvents(deps.store, { ...filter, ...scopeOf(req, asked) }, { limit, cursor });
    return sendPage(req, reply, page.items, page.next);
  });

  app.get('/v1/detections', async (req, reply) => {
    const q = parseQuery(detectionsQuery, req.query);
    const { limit, cursor, tenant: asked, ...filter } = q;
    const page = await listDetections(deps.store, { ...filter, ...scopeOf(req, asked) }, { limit, cursor });
    return sendPage(req, reply, page.items, page.next);
  });

  app.get<{ Params: { detection_id: string } }>('/v1/detections/:detection_id/timeline', async (req, reply) => {
    const q = parseQuery(timelineQuery, req.query);
    const detection = await getDetection(deps.store, scopeOf(req, undefined), req.params.detection_id);
    if (!detection) throw new NotFoundError(`no detection ${req.params.detection_id}`);
    const events = q.context === undefined ? await evidenceEvents(deps.store, detection) : await incidentEvents(deps.store, detection, q.context, TIMELINE_LIMIT);
    return reply.send(events);
  });
}

/** The tenants a request may read: its token's, or any (narrowed by ?tenant=) for operator tokens. */
function scopeOf(req: FastifyRequest, asked: string | undefined): Scope {
  const own = req.tenant;
  if (own === null || own === '*') return { tenant: asked ?? null };
  if (asked !== undefined && asked !== own) throw new QueryInvalidError('tenant', `this token reads tenant ${own} only`);
  return { tenant: own };
}

function parseQuery<T extends z.ZodType>(schema: T, query: unknown): z.output<T> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw new QueryInvalidError(issue.keys[0]!, 'unknown parameter');
  const where = formatPath(issue.path) || 'query';
  throw new QueryInvalidError(where, issue.message);
}

function sendPage(req: FastifyRequest, reply: FastifyReply, items: unknown[], next: string | null): FastifyReply {
  if (next !== null) {
    const url = new URL(req.url, 'http://local');
    url.searchParams.set('cursor', next);
    void reply.header('x-next-cursor', next).header('link', `<${url.pathname}${url.search}>; rel="next"`);
  }
  return reply.send(items);
}
