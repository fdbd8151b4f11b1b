// The operator's controls over HTTP with tenant tokens: containment listed and released per
// tenant (never another tenant's), approvals answered by whoever holds the token, each call
// in the audit trail with its actor.
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AuditLog } from '../services/evidence/audit.js';
import { createOperatorApi } from '../services/responder/api.js';
import { startResponse, type RunningResponse } from '../services/responder/start.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { containmentKey, encodeRecord, type Containment, type Detection } from '../services/shared/records.js';
import type { Store } from '../services/shared/store/clickhouse.js';
import { waitFor } from './support/bus-contract.js';
import { openTestStore } from './support/evidence.js';

const ACME = 'acme-token-0123456789';
const OTHER = 'other-token-0123456789';
const OPERATOR = 'operator-token-0123456789';

const ASK = `kind: playbook
id: ask_first
name: Ask first
version: 1
match: { rules: [t.ask] }
steps:
  - id: ask
    type: require_approval
    timeout: 1h
  - id: quarantine
    type: quarantine_agent
    duration: 10m
`;

describe('operator controls over HTTP', () => {
  let store: Store;
  let bus: MemoryBus;
  let response: RunningResponse;
  let api: FastifyInstance;
  let audit: AuditLog;

  before(async () => {
    const rules = mkdtempSync(join(tmpdir(), 'rw-controls-'));
    cpSync(join(PROJECT_ROOT, 'rules'), rules, { recursive: true });
    writeFileSync(join(rules, 'playbooks', 'ask.yaml'), ASK);
    let config;
    ({ store, config } = await openTestStore('controls', { RUNWATCH_API_TOKENS: `acme:${ACME},other:${OTHER},*:${OPERATOR}`, RUNWATCH_RULES_DIRS: rules }));
    bus = new MemoryBus({ partitions: 2 });
    await bus.ensureTopics();
    const log = createLogger({ level: 'silent' });
    response = await startResponse(config, bus, store, log);
    audit = new AuditLog(store, log, 20);
    api = createOperatorApi({ config, log, registry: createRegistry({ processMetrics: false }), store, audit, responder: response.responder, containment: response.containment, health: () => ({ ok: true }) });
    await api.ready();
    const now = Date.now();
    const quarantine = (tenant: string, agent: string): Containment => ({
      subject_type: 'agent', subject_id: agent, tenant, state: 'quarantined', reason: 'test', detection_id: 'det_x', since: now, until: now + 600_000, actor: 'responder', updated_at: now,
    });
    await bus.produce([quarantine('acme', 'agent-a'), quarantine('other', 'agent-a')].map((c) => ({ topic: TOPICS.containment, key: containmentKey(c), value: encodeRecord('Containment', c) })));
    await waitFor(() => response.containment.list(null).length === 2, 5000, 'two containments');
  });

  after(async () => {
    await api.close();
    await response.stop();
    await bus.close();
    await store.close();
  });

  const call = async (method: 'GET' | 'POST' | 'DELETE', url: string, token: string | null) => {
    const res = await api.inject({ method, url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.statusCode, body: res.json() as unknown };
  };

  test('401 without a token', async () => {
    assert.equal((await call('GET', '/v1/containment', null)).status, 401);
    assert.equal((await call('DELETE', '/v1/containment/agents/agent-a', null)).status, 401);
    assert.equal((await call('GET', '/v1/approvals', null)).status, 401);
  });

  test("a tenant sees and releases its own containment only; an operator names the tenant", async () => {
    const mine = (await call('GET', '/v1/containment', ACME)).body as Array<{ tenant: string }>;
    assert.deepEqual(mine.map((c) => c.tenant), ['acme']);
    assert.equal(((await call('GET', '/v1/containment', OPERATOR)).body as unknown[]).length, 2);
    assert.equal((await call('DELETE', '/v1/containment/agents/agent-a?tenant=other', ACME)).status, 400, 'asking for another tenant');
    const released = await call('DELETE', '/v1/containment/agents/agent-a', ACME);
    assert.equal(released.status, 200);
    assert.equal((released.body as { state: string; actor: string }).state, 'released');
    assert.match((released.body as { actor: string }).actor, /^token:[0-9a-f]{12}$/);
    assert.deepEqual(response.containment.list(null).map((c) => c.tenant), ['other'], "the other tenant's agent of the same name is still contained");
    assert.equal((await call('DELETE', '/v1/containment/agents/agent-a', ACME)).status, 404, 'nothing left to release');
    assert.equal((await call('DELETE', '/v1/containment/agents/agent-a?tenant=other', OPERATOR)).status, 200);
    await audit.flush();
    const r = await store.client.query({ query: "SELECT actor, tenant, status FROM {db:Identifier}.audit WHERE action = 'DELETE /v1/containment/agents/:id' ORDER BY ts", query_params: { db: store.database }, format: 'JSONEachRow' });
    const rows = (await r.json<{ actor: string; tenant: string; status: number }>()).map((x) => [x.tenant, Number(x.status)]);
    // The refused attempt without a token (first test) is in the trail too.
    assert.deepEqual(rows, [['*', 401], ['acme', 400], ['acme', 200], ['acme', 404], ['*', 200]]);
  });

  test("approvals: a tenant answers its own; the answer is the token's", async () => {
    const now = Date.now();
    const detection: Detection = {
      detection_id: 'det_ask_1', rule_id: 't.ask', rule_version: 1, severity: 'medium', ts: now, detected_at: now, tenant: 'acme', agent_id: 'agent-q', session_id: 's', key_id: null,
      user_id: null, group_key: 's', event_ids: ['e'], window_start: now, window_end: now, summary: 'ask', tags: [], playbooks: [], evidence: [], suppressed_count: 0,
    };
    await bus.produce([{ topic: TOPICS.detections, key: 'acme:agent-q', value: encodeRecord('Detection', detection) }]);
    await waitFor(() => response.responder.approvals(null).length === 1, 5000, 'an approval waiting');
    assert.deepEqual((await call('GET', '/v1/approvals', OTHER)).body, []);
    assert.equal((await call('POST', '/v1/approvals/det_ask_1/approve', OTHER)).status, 404, "another tenant's approval looks absent");
    const listed = (await call('GET', '/v1/approvals', ACME)).body as Array<{ detection_id: string; step: string }>;
    assert.deepEqual(listed.map((a) => [a.detection_id, a.step]), [['det_ask_1', 'ask']]);
    const approved = await call('POST', '/v1/approvals/det_ask_1/approve', ACME);
    assert.equal(approved.status, 200);
    await waitFor(() => response.containment.list('acme').some((c) => c.subject_id === 'agent-q'), 5000, 'the quarantine after the approval');
    const answered = response.responder.ledger.latest('det_ask_1', 'ask_first', 0)!;
    assert.equal((approved.body as { outcome: string }).outcome, 'approved');
    assert.equal(answered.status, 'approved');
    assert.match(answered.actor, /^token:[0-9a-f]{12}$/);
  });
});
