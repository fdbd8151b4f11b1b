// The responder on the embedded bus with the default playbooks: a critical detection
// quarantines its agent and sends one signed notice; redelivery, a restart and a crash
// mid-step repeat no side effect; dry-run changes nothing but records what it would do;
// approvals wait for an operator or their timeout.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { actionId } from '../services/responder/ledger.js';
import { verifySignature } from '../services/responder/playbooks/sign.js';
import { Responder } from '../services/responder/responder.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { createLogger } from '../services/shared/log.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { decodeRecord, encodeRecord, type Action, type Containment, type Detection } from '../services/shared/records.js';
import type { Store } from '../services/shared/store/clickhouse.js';
import { waitFor } from './support/bus-contract.js';
import { openTestStore } from './support/evidence.js';

const SECRET = 'webhook-signing-secret-123';

interface Call {
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function detection(id: string, overrides: Partial<Detection> = {}): Detection {
  const now = Date.now();
  return {
    detection_id: id, rule_id: 'rw.chain.injection_then_action', rule_version: 1, severity: 'critical', ts: now, detected_at: now, tenant: 'acme',
    agent_id: 'agent-7', session_id: 's-1', key_id: null, user_id: null, group_key: 's-1', event_ids: ['e1', 'e2'], window_start: now - 1000,
    window_end: now, summary: 'injection then email', tags: ['owasp.llm01'], playbooks: [], evidence: [], suppressed_count: 0, ...overrides,
  };
}

/** The default pack's rules and playbooks, with `safety` and extra playbooks replaced as given. */
function ruleDir(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rw-responder-'));
  cpSync(join(PROJECT_ROOT, 'rules'), dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, 'playbooks', name), text);
  return dir;
}

describe('responder', () => {
  let store: Store;
  let receiver: Server;
  let url = '';
  const calls: Call[] = [];

  before(async () => {
    ({ store } = await openTestStore('responder'));
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        calls.push({ body, headers: req.headers });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;
  });

  after(async () => {
    receiver.close();
    await store.close();
  });

  function responder(bus: MemoryBus, dirs = [ruleDir()], now?: () => number): Responder {
    return new Responder({
      bus,
      log: createLogger({ level: 'silent' }),
      store,
      groupId: 'responder',
      ruleDirs: dirs,
      env: { RUNWATCH_NOTIFY_WEBHOOK_URL: url, RUNWATCH_NOTIFY_SIGNING_SECRET: SECRET },
      sweepSchedule: '*/1 * * * * *',
      ...(now && { now }),
    });
  }

  async function topic<T>(bus: MemoryBus, name: string, decode: (b: Buffer) => T): Promise<T[]> {
    const got: T[] = [];
    const sub = await bus.consume({ groupId: `read-${Math.random()}`, topics: [name], fromBeginning: true, eachBatch: async (b) => void got.push(...b.messages.map((m) => decode(m.value!))) });
    await new Promise((r) => setTimeout(r, 300));
    await sub.stop();
    return got;
  }
  const containments = (bus: MemoryBus) => topic<Containment>(bus, TOPICS.containment, (b) => decodeRecord('Containment', b));
  const actions = (bus: MemoryBus) => topic<Action>(bus, TOPICS.actions, (b) => decodeRecord('Action', b));
  const produce = (bus: MemoryBus, d: Detection) => bus.produce([{ topic: TOPICS.detections, key: `${d.tenant}:${d.agent_id}`, value: encodeRecord('Detection', d) }]);

  test('a critical detection quarantines its agent for an hour and sends one signed notice; nothing repeats', async () => {
    calls.length = 0;
    const bus = new MemoryBus({ partitions: 2 });
    await bus.ensureTopics();
    const r = responder(bus);
    await r.start();
    const d = detection('det-critical');
    await produce(bus, d);
    await waitFor(() => r.ledger.isDone(d.detection_id, 'contain_agent', 2), 10_000, 'the playbook run');
    const [quarantine, ...others] = await containments(bus);
    assert.equal(others.length, 0);
    assert.deepEqual({ ...quarantine, since: 0, until: 0, updated_at: 0 }, {
      subject_type: 'agent', subject_id: 'agent-7', tenant: 'acme', state: 'quarantined', reason: 'rw.chain.injection_then_action: injection then email',
      detection_id: 'det-critical', since: 0, until: 0, actor: 'responder', updated_at: 0,
    });
    assert.ok(Math.abs(quarantine!.until! - quarantine!.since - 3_600_000) < 1000, 'for an hour');
    assert.equal(calls.length, 1);
    const call = calls[0]!;
    assert.deepEqual(verifySignature({ body: call.body, secret: SECRET, timestamp: call.headers['x-runwatch-timestamp'] as string, signature: call.headers['x-runwatch-signature'] as string, nowMs: Date.now() }), { ok: true });
    assert.equal((JSON.parse(call.body) as { detection_id: string }).detection_id, 'det-critical');
    assert.equal(call.headers['idempotency-key'], 'det-critical:contain_agent:2:1');
    const steps = (await actions(bus)).map((a) => `${a.step}:${a.status}`);
    assert.deepEqual(steps, ['quarantine_agent:running', 'quarantine_agent:succeeded', 'snapshot_evidence:running', 'snapshot_evidence:succeeded', 'notify:running', 'notify:succeeded']);

    // The same detection again, then a restarted responder given it once more: no side effect repeats.
    await produce(bus, d);
    await new Promise((res) => setTimeout(res, 300));
    await r.stop();
    const again = responder(bus);
    await again.start();
    await again.handle(d);
    await again.stop();
    assert.equal(calls.length, 1, 'one notice');
    assert.equal((await containments(bus)).length, 1, 'one quarantine record');
    await bus.close();
  });

  test('a responder that died mid-step performs that step again, with the same idempotency key', async () => {
    calls.length = 0;
    const bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const d = detection('det-crash');
    // What the dead responder recorded: quarantine and snapshot done, the notice in flight.
    const done = (i: number, step: string, status: Action['status']): Action => ({
      action_id: actionId(d.detection_id, 'contain_agent', i, status, 1), detection_id: d.detection_id, playbook_id: 'contain_agent', step_index: i, step, status,
      attempt: 1, ts: Date.now(), tenant: 'acme', target: null, dry_run: false, actor: 'responder', detail: '',
    });
    const recorded = [done(0, 'quarantine_agent', 'succeeded'), done(1, 'snapshot_evidence', 'succeeded'), done(2, 'notify', 'running')];
    await bus.produce(recorded.map((a) => ({ topic: TOPICS.actions, key: a.detection_id, value: encodeRecord('Action', a) })));
    const r = responder(bus);
    await r.start();
    await r.handle(d);
    await r.stop();
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.headers['idempotency-key'], 'det-crash:contain_agent:2:1');
    assert.equal((await containments(bus)).length, 0, 'the quarantine recorded as done is not redone');
    await bus.close();
  });

  test('dry-run changes nothing and records what it would do', async () => {
    calls.length = 0;
    const bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const r = responder(bus, [ruleDir({ 'safety.yaml': 'kind: safety\ndry_run: true\n' })]);
    await r.start();
    await r.handle(detection('det-dry'));
    await r.stop();
    assert.equal(calls.length, 0);
    assert.equal((await containments(bus)).length, 0);
    const recorded = await actions(bus);
    const quarantine = recorded.find((a) => a.step === 'quarantine_agent')!;
    assert.equal(quarantine.status, 'dry_run');
    assert.equal(quarantine.dry_run, true);
    assert.match(quarantine.detail, /^would quarantine agent agent-7 for 1h/);
    assert.equal(recorded.find((a) => a.step === 'notify')!.status, 'dry_run');
    await bus.close();
  });

  test('protected agents are never quarantined', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const r = responder(bus, [ruleDir({ 'safety.yaml': 'kind: safety\nprotected_agents: [agent-7]\n' })]);
    await r.start();
    await r.handle(detection('det-protected'));
    await r.stop();
    assert.equal((await containments(bus)).length, 0);
    const q = (await actions(bus)).find((a) => a.step === 'quarantine_agent')!;
    assert.deepEqual([q.status, q.detail], ['skipped', 'protected agent agent-7']);
    await bus.close();
  });

  const APPROVAL = `kind: playbook
id: approve_then_quarantine
name: Ask, then quarantine
version: 1
match: { rules: [t.ask] }
steps:
  - id: ask
    type: require_approval
    timeout: 2s
    default: rejected
  - id: quarantine
    type: quarantine_agent
    duration: 10m
`;

  test('an approval waits for an operator; approved, the run goes on; unanswered, its default applies', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const r = responder(bus, [ruleDir({ 'ask.yaml': APPROVAL })]);
    await r.start();
    const yes = detection('det-ask-yes', { rule_id: 't.ask', severity: 'medium', agent_id: 'agent-yes' });
    const no = detection('det-ask-late', { rule_id: 't.ask', severity: 'medium', agent_id: 'agent-late' });
    await r.handle(yes);
    await r.handle(no);
    assert.deepEqual(r.approvals(null).map((p) => p.detection.detection_id).sort(), ['det-ask-late', 'det-ask-yes']);
    assert.deepEqual(r.approvals('other-tenant'), []);
    await r.decide('det-ask-yes', 'acme', 'approved', 'token:abc');
    await assert.rejects(r.decide('det-ask-yes', 'acme', 'approved', 'token:abc'), /no approval waits/);
    await waitFor(() => r.ledger.isDone('det-ask-late', 'approve_then_quarantine', 0), 10_000, 'the timeout to apply');
    await r.stop();
    assert.deepEqual((await containments(bus)).map((c) => c.subject_id), ['agent-yes']);
    const recorded = await actions(bus);
    const ask = (id: string) => recorded.filter((a) => a.detection_id === id && a.step_index === 0).map((a) => `${a.status}:${a.actor}`);
    assert.deepEqual(ask('det-ask-yes'), ['awaiting_approval:responder', 'approved:token:abc']);
    assert.deepEqual(ask('det-ask-late'), ['awaiting_approval:responder', 'rejected:responder:timeout']);
    await bus.close();
  });
});
