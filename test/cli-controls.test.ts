// `runwatch containment` and `runwatch approvals` against a live operator API: list, release
// (then the collector's state allows), errors from the API as one line and exit 1, the token
// sent from RUNWATCH_API_TOKEN, an unreachable API named.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createApiClient } from '../services/cli/api-client.js';
import { answerApproval, listApprovals, listContainment, releaseContainment } from '../services/cli/commands/controls.js';
import { AuditLog } from '../services/evidence/audit.js';
import { createOperatorApi } from '../services/responder/api.js';
import { startResponse, type RunningResponse } from '../services/responder/start.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import { containmentKey, encodeRecord, type Containment } from '../services/shared/records.js';
import type { Store } from '../services/shared/store/clickhouse.js';
import { waitFor } from './support/bus-contract.js';
import { openTestStore } from './support/evidence.js';

const TOKEN = 'acme-cli-token-0123456789';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => void out.push(l), err: (l: string) => void err.push(l) } };
}

describe('runwatch containment | approvals', () => {
  let store: Store;
  let bus: MemoryBus;
  let response: RunningResponse;
  let api: FastifyInstance;
  let url = '';

  before(async () => {
    let config;
    ({ store, config } = await openTestStore('cli_controls', { RUNWATCH_API_TOKENS: `acme:${TOKEN}`, RUNWATCH_API_PORT: '0' }));
    bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const log = createLogger({ level: 'silent' });
    response = await startResponse(config, bus, store, log);
    api = createOperatorApi({ config, log, registry: createRegistry({ processMetrics: false }), store, audit: new AuditLog(store, log), responder: response.responder, containment: response.containment, health: () => ({ ok: true }) });
    url = await api.listen({ host: '127.0.0.1', port: 0 });
    const now = Date.now();
    const c: Containment = { subject_type: 'agent', subject_id: 'agent-cli', tenant: 'acme', state: 'quarantined', reason: 'rw.test: why', detection_id: 'det_cli', since: now, until: now + 600_000, actor: 'responder', updated_at: now };
    await bus.produce([{ topic: TOPICS.containment, key: containmentKey(c), value: encodeRecord('Containment', c) }]);
    await waitFor(() => response.containment.list('acme').length === 1, 5000, 'the quarantine');
  });

  after(async () => {
    await api.close();
    await response.stop();
    await bus.close();
    await store.close();
  });

  test('ls shows what is contained; release frees it; releasing again says why not and exits 1', async () => {
    const client = createApiClient(url, TOKEN);
    const ls = io();
    assert.equal(await listContainment(client, {}, ls.io), 0);
    assert.match(ls.out[0]!, /^quarantined agent {3}agent-cli {2}tenant acme {2}until \S+ {2}det_cli {2}rw\.test: why$/);
    const json = io();
    assert.equal(await listContainment(client, { json: true }, json.io), 0);
    assert.equal((JSON.parse(json.out.join('\n')) as Array<{ subject_id: string }>)[0]!.subject_id, 'agent-cli');
    const rel = io();
    assert.equal(await releaseContainment(client, 'agent', 'agent-cli', {}, rel.io), 0);
    assert.deepEqual(rel.out, ['released agent agent-cli (tenant acme)']);
    assert.deepEqual(response.containment.list('acme'), []);
    const again = io();
    assert.equal(await releaseContainment(client, 'agent', 'agent-cli', {}, again.io), 1);
    assert.match(again.err[0]!, /404 no agent agent-cli is contained in tenant acme/);
    const bad = io();
    assert.equal(await releaseContainment(client, 'robot', 'x', {}, bad.io), 1);
    assert.match(bad.err[0]!, /agent, key or session/);
  });

  test('approvals: nothing waiting, and answering nothing is a 404', async () => {
    const client = createApiClient(url, TOKEN);
    const ls = io();
    assert.equal(await listApprovals(client, {}, ls.io), 0);
    assert.deepEqual(ls.out, ['no step waits for an approval']);
    const answer = io();
    assert.equal(await answerApproval(client, 'det_none', 'approve', answer.io), 1);
    assert.match(answer.err[0]!, /404 no approval waits for detection det_none/);
  });

  test('without the token: 401 in one line; an API nobody answers: its URL named', async () => {
    const noToken = io();
    assert.equal(await listContainment(createApiClient(url, undefined), {}, noToken.io), 1);
    assert.match(noToken.err[0]!, /401 missing bearer token/);
    const down = io();
    assert.equal(await listContainment(createApiClient('http://127.0.0.1:9', TOKEN, 2000), {}, down.io), 1);
    assert.match(down.err[0]!, /^cannot reach the operator API at http:\/\/127\.0\.0\.1:9: /);
  });
});
