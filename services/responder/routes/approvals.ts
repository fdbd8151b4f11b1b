/**
 * Approvals for `require_approval` steps:
 *   GET  /v1/approvals                          steps waiting for an operator
 *   POST /v1/approvals/:detection_id/approve    the run goes on
 *   POST /v1/approvals/:detection_id/reject     the step is rejected (the run aborts unless on_error: continue)
 * Who answered is the token's actor, kept in the action row and the audit trail.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PendingApproval, Responder } from '../responder.js';

export function registerApprovalRoutes(app: FastifyInstance, responder: Responder): void {
  app.get('/v1/approvals', async (req, reply) => reply.send(responder.approvals(tenantOf(req)).map(view)));

  for (const [verb, outcome] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    app.post<{ Params: { detection_id: string } }>(`/v1/approvals/:detection_id/${verb}`, async (req, reply) => {
      const pending = await responder.decide(req.params.detection_id, tenantOf(req), outcome, req.actor ?? 'anonymous');
      return reply.send({ ...view(pending), outcome });
    });
  }
}

/** A tenant's token answers for its tenant only; operator tokens (and no tokens) for all. */
function tenantOf(req: FastifyRequest): string | null {
  return req.tenant === null || req.tenant === '*' ? null : req.tenant;
}

function view(p: PendingApproval) {
  const d = p.detection;
  return {
    detection_id: d.detection_id,
    rule_id: d.rule_id,
    severity: d.severity,
    tenant: d.tenant,
    agent_id: d.agent_id,
    summary: d.summary,
    playbook_id: p.playbook_id,
    step: p.step_id,
    since: new Date(p.since).toISOString(),
    deadline: new Date(p.deadline).toISOString(),
    default: p.default,
    detail: p.detail,
  };
}
