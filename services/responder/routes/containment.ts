/**
 * Containment in force, and recovery:
 *   GET    /v1/containment                     quarantined agents, revoked keys, blocked sessions: why, since, until
 *   DELETE /v1/containment/agents/:agent_id    release (also /keys/:key_id, /sessions/:session_id)
 * A tenant's token sees and releases its own tenant's only; operator tokens name the tenant
 * with ?tenant= (default `default`). Releases are audited with who made them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { QueryInvalidError } from '../../shared/errors.js';
import { scrubIdentifier, scrubKeyId } from '../../shared/events/key-fingerprint.js';
import type { Containment, SubjectType } from '../../shared/records.js';
import type { ContainmentControl } from '../containment.js';

const TenantQuery = z.object({ tenant: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'a tenant name').optional() }).strict();

export function registerContainmentRoutes(app: FastifyInstance, control: ContainmentControl): void {
  app.get('/v1/containment', async (req, reply) => {
    const { tenant } = parse(req);
    const own = req.tenant === null || req.tenant === '*' ? (tenant ?? null) : req.tenant;
    return reply.send(control.list(own).map(view));
  });

  // Keys and sessions are held under the fingerprint the collector gave a credential: the raw
  // value an operator holds releases it too.
  const subjects: Array<[string, SubjectType, (id: string) => string]> = [
    ['agents', 'agent', (id) => id],
    ['keys', 'key', scrubKeyId],
    ['sessions', 'session', scrubIdentifier],
  ];
  for (const [path, type, subjectId] of subjects) {
    app.delete<{ Params: { id: string } }>(`/v1/containment/${path}/:id`, async (req, reply) => {
      const { tenant } = parse(req);
      const own = req.tenant === null || req.tenant === '*' ? (tenant ?? 'default') : req.tenant;
      if (tenant !== undefined && tenant !== own) throw new QueryInvalidError('tenant', `this token acts on tenant ${own} only`);
      const released = await control.release(type, own, subjectId(req.params.id), req.actor ?? 'anonymous');
      return reply.send(view(released));
    });
  }
}

function parse(req: FastifyRequest): z.infer<typeof TenantQuery> {
  const result = TenantQuery.safeParse(req.query);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  if (issue.code === 'unrecognized_keys') throw new QueryInvalidError(issue.keys[0]!, 'unknown parameter');
  throw new QueryInvalidError('tenant', issue.message);
}

function view(c: Containment) {
  return {
    subject_type: c.subject_type,
    subject_id: c.subject_id,
    tenant: c.tenant,
    state: c.state,
    reason: c.reason,
    detection_id: c.detection_id,
    since: new Date(c.since).toISOString(),
    until: c.until === null ? null : new Date(c.until).toISOString(),
    actor: c.actor,
  };
}
