// The operator read API over a seeded chDB store: filters, cursor pages in time order, tenant
// scoping by token, bound parameters, limits, timelines, the audit trail, and 503 while the
// store is down.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { AuditLog } from '../services/evidence/audit.js';
import { insertOnce } from '../services/evidence/inserter.js';
import { actionRow, detectionRow, eventRow } from '../services/evidence/rows.js';
import { createOperatorApi } from '../services/responder/api.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import type { Action, Detection } from '../services/shared/records.js';
import { evidenceConfig, RestartableStore } from './support/evidence.js';

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const ACME = 'acme-token-0123456789';
const OTHER = 'other-token-0123456789';
const OPERATOR = 'operator-token-0123456789';

function event(raw: Record<string, unknown>): TelemetryEvent {
  const parsed = parseEvent({ kind: 'prompt', prompt: { messages: [{ role: 'user', content: 'hi' }] }, ...raw }, { receivedAt: T0 + 3_600_000, tenant: null });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.event;
}

// 50 acme events over 50 minutes in two sessions, a few other-tenant events, and an agent
// whose id is shaped like SQL.
const ACME_EVENTS = Array.from({ length: 50 }, (_, i) =>
  event({ event_id: `acme-${String(i).padStart(2, '0')}`, tenant: 'acme', ts: T0 + i * 60_000, agent_id: i % 2 ? 'agent-a' : 'agent-b', session_id: i < 25 ? 's1' : 's2', key_id: i % 5 === 0 ? 'key-1' : null }),
);
const OTHER_EVENTS = Array.from({ length: 5 }, (_, i) => event({ event_id: `other-${i}`, tenant: 'other', ts: T0 + i * 60_000, agent_id: 'agent-a', session_id: 's1' }));
const SQLISH = event({ event_id: 'quote-1', tenant: 'acme', ts: T0 + 5, agent_id: "o'brien\\' OR 1=1 --", session_id: 's9', kind: 'tool_call', prompt: undefined, tool_call: { name: 't', arguments: {} } });

const DETECTION: Detection = {
  detection_id: 'det_acme_1', rule_id: 'rw.test.rule', rule_version: 2, severity: 'high', ts: T0 + 12 * 60_000, detected_at: T0 + 12 * 60_000 + 5,
  tenant: 'acme', agent_id: 'agent-b', session_id: 's1', key_id: null, user_id: null, group_key: 's1',
  event_ids: ['acme-12', 'acme-10'], window_start: T0 + 10 * 60_000, window_end: T0 + 12 * 60_000,
  summary: 'two steps', tags: ['owasp.llm01'], playbooks: [], evidence: [{ event_id: 'acme-10', detector: 'injection', field: 'prompt.messages[0].content', start: 0, end: 2, score: 0.9, label: 'override' }], suppressed_count: 0,
};
const OTHER_DETECTION: Detection = { ...DETECTION, detection_id: 'det_other_1', tenant: 'other', severity: 'low', event_ids: ['other-1'] };

const step = (detection: Detection, n: number, status: Action['status']): Action => ({
  action_id: `${detection.detection_id}-${n}`, detection_id: detection.detection_id, playbook_id: 'pb', step_index: 0, step: 'quarantine_agent',
  status, attempt: 1, ts: detection.ts + n, tenant: detection.tenant, target: detection.agent_id, dry_run: false, actor: 'responder', detail: '',
});
const ACTIONS = [step(DETECTION, 2, 'succeeded'), step(DETECTION, 0, 'pending'), step(DETECTION, 1, 'running'), step(OTHER_DETECTION, 0, 'pending')];

describe('operator read API', () => {
  let store: RestartableStore;
  let api: FastifyInstance;
  let audit: AuditLog;

  before(async () => {
    const config = evidenceConfig('api', {
      RUNWATCH_API_TOKENS: `acme:${ACME},other:${OTHER},*:${OPERATOR}`,
      RUNWATCH_API_MAX_PAGE_SIZE: '20',
    });
    store = await RestartableStore.open(config);
    await insertOnce(store, 'events', [...ACME_EVENTS, ...OTHER_EVENTS, SQLISH].map((e) => eventRow(e, 0)));
    await insertOnce(store, 'detections', [DETECTION, OTHER_DETECTION].map(detectionRow));
    await insertOnce(store, 'actions', ACTIONS.map(actionRow));
    const log = createLogger({ level: 'silent' });
    audit = new AuditLog(store, log, 20);
    api = createOperatorApi({ config, log, registry: createRegistry({ processMetrics: false }), store, audit, health: () => ({ ok: true }) });
    await api.ready();
  });

  after(async () => {
    await api.close();
    await store.close();
  });

  async function get(url: string, token: string | null = OPERATOR) {
    const res = await api.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: res.statusCode, headers: res.headers, body: res.json() as unknown };
  }
  const ids = (body: unknown) => (body as Array<{ event_id?: string; detection_id?: string }>).map((x) => x.event_id ?? x.detection_id);

  test('401 without a valid token', async () => {
    assert.equal((await get('/v1/events', null)).status, 401);
    assert.equal((await get('/v1/events', 'not-a-token-at-all-x')).status, 401);
    assert.equal((await get('/v1/detections/det_acme_1/timeline', null)).status, 401);
  });

  test('events in time order, filtered, each one exactly as accepted', async () => {
    const res = await get('/v1/events?tenant=acme&session_id=s1&agent_id=agent-a&limit=20');
    assert.equal(res.status, 200);
    const expected = ACME_EVENTS.filter((e) => e.session_id === 's1' && e.agent_id === 'agent-a');
    assert.deepEqual(res.body, expected);
    assert.deepEqual(ids((await get('/v1/events?key_id=key-1&tenant=acme')).body), ['acme-00', 'acme-05', 'acme-10', 'acme-15', 'acme-20', 'acme-25', 'acme-30', 'acme-35', 'acme-40', 'acme-45']);
    assert.deepEqual(ids((await get('/v1/events?kind=tool_call')).body), ['quote-1']);
    const since = new Date(T0 + 47 * 60_000).toISOString();
    assert.deepEqual(ids((await get(`/v1/events?tenant=acme&since=${since}`)).body), ['acme-47', 'acme-48', 'acme-49']);
    assert.deepEqual(ids((await get(`/v1/events?tenant=acme&since=${T0 + 60_000}&until=${T0 + 3 * 60_000}`)).body), ['acme-01', 'acme-02']);
  });

  test('cursor pages walk every event once, in order, however the pages fall', async () => {
    const seen: string[] = [];
    let url: string | null = '/v1/events?tenant=acme&limit=7';
    let pages = 0;
    while (url) {
      const res = await get(url);
      assert.equal(res.status, 200);
      seen.push(...(ids(res.body) as string[]));
      const link = res.headers.link as string | undefined;
      url = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1]! : null;
      if (url) assert.equal(new URL(url, 'http://x').searchParams.get('cursor'), res.headers['x-next-cursor']);
      pages++;
    }
    const expected = [...ACME_EVENTS, SQLISH].sort((a, b) => a.ts - b.ts || a.event_id.localeCompare(b.event_id)).map((e) => e.event_id);
    assert.deepEqual(seen, expected);
    assert.equal(pages, Math.ceil(expected.length / 7));
  });

  test("a tenant's token reads its own tenant only", async () => {
    const acme = await get('/v1/events?limit=20', ACME);
    assert.ok((acme.body as TelemetryEvent[]).every((e) => e.tenant === 'acme'));
    const other = await get('/v1/events', OTHER);
    assert.deepEqual(ids(other.body), OTHER_EVENTS.map((e) => e.event_id));
    const asked = await get('/v1/events?tenant=acme', OTHER);
    assert.equal(asked.status, 400);
    assert.match((asked.body as { error: string }).error, /^tenant: /);
    assert.deepEqual(ids((await get('/v1/detections', OTHER)).body), ['det_other_1']);
    assert.equal((await get('/v1/detections/det_acme_1/timeline', OTHER)).status, 404, "another tenant's detection looks absent");
  });

  test('filter values crafted as SQL are only ever values', async () => {
    for (const value of ["' OR 1=1 --", "acme' OR tenant != '", '\\', "1); DROP TABLE events; --", '{tenant:String}']) {
      const res = await get(`/v1/events?agent_id=${encodeURIComponent(value)}`);
      assert.equal(res.status, 200, value);
      assert.deepEqual(res.body, [], value);
      assert.deepEqual((await get(`/v1/events?tenant=acme&session_id=${encodeURIComponent(value)}`)).body, []);
    }
    const exact = await get(`/v1/events?agent_id=${encodeURIComponent(SQLISH.agent_id!)}`);
    assert.deepEqual(ids(exact.body), ['quote-1']);
    assert.equal((await get('/v1/events?tenant=acme&limit=20')).status, 200, 'the table is still there');
  });

  test('bad parameters answer 400 naming the parameter', async () => {
    const cases: Array<[string, RegExp]> = [
      ['/v1/events?limit=21', /^limit: at most 20/],
      ['/v1/events?limit=0', /^limit: /],
      ['/v1/events?since=yesterday-ish', /^since: expected ISO-8601/],
      ['/v1/events?kind=banana', /^kind: /],
      ['/v1/events?colour=red', /^colour: unknown parameter/],
      ['/v1/events?cursor=abc', /^cursor: /],
      ['/v1/detections?severity=high,urgent', /^severity/],
      ['/v1/events?tenant=a%20b', /^tenant: /],
      ['/v1/detections/det_acme_1/timeline?context=soon', /^context: /],
    ];
    for (const [url, message] of cases) {
      const res = await get(url);
      assert.equal(res.status, 400, url);
      assert.match((res.body as { error: string }).error, message, url);
      assert.equal((res.body as { code: string }).code, 'RW_ERR_QUERY_INVALID');
    }
  });

  test('detections: filters by rule, severity, agent and time', async () => {
    const all = await get('/v1/detections');
    assert.deepEqual(all.body, [DETECTION, OTHER_DETECTION].sort((a, b) => a.ts - b.ts || a.detection_id.localeCompare(b.detection_id)));
    assert.deepEqual(ids((await get('/v1/detections?severity=high,critical')).body), ['det_acme_1']);
    assert.deepEqual(ids((await get('/v1/detections?rule_id=rw.test.rule&tenant=other')).body), ['det_other_1']);
    assert.deepEqual(ids((await get('/v1/detections?agent_id=agent-x')).body), []);
    assert.deepEqual(ids((await get(`/v1/detections?until=${T0}`)).body), []);
  });

  test('a timeline holds the evidence events in order; with context, its session around the window', async () => {
    const res = await get('/v1/detections/det_acme_1/timeline', ACME);
    assert.equal(res.status, 200);
    assert.deepEqual(ids(res.body), ['acme-10', 'acme-12']);
    const around = await get('/v1/detections/det_acme_1/timeline?context=2m', ACME);
    assert.deepEqual(ids(around.body), ['acme-08', 'acme-09', 'acme-10', 'acme-11', 'acme-12', 'acme-13', 'acme-14']);
    assert.equal((await get('/v1/detections/det_nope/timeline')).status, 404);
  });

  test("a detection's playbook steps, every state change in order, for its tenant only", async () => {
    const res = await get('/v1/actions?detection_id=det_acme_1', ACME);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, [ACTIONS[1], ACTIONS[2], ACTIONS[0]]);
    assert.deepEqual((await get('/v1/actions?detection_id=det_acme_1', OTHER)).body, []);
    const missing = await get('/v1/actions');
    assert.equal(missing.status, 400);
    assert.match((missing.body as { error: string }).error, /^detection_id: /);
  });

  test('every API call is in the audit trail with who made it', async () => {
    await get('/v1/events?agent_id=audited-agent', ACME);
    await audit.flush();
    const r = await store.client.query({
      query: "SELECT actor, tenant, via, action, params, status FROM {db:Identifier}.audit WHERE params LIKE '%audited-agent%'",
      query_params: { db: store.database },
      format: 'JSONEachRow',
    });
    const rows = await r.json<{ actor: string; tenant: string; via: string; action: string; params: string; status: number }>();
    assert.equal(rows.length, 1);
    assert.match(rows[0]!.actor, /^token:[0-9a-f]{12}$/);
    assert.ok(!JSON.stringify(rows).includes(ACME), 'the token itself is not stored');
    assert.deepEqual({ ...rows[0], actor: undefined, status: Number(rows[0]!.status) }, { actor: undefined, tenant: 'acme', via: 'api', action: 'GET /v1/events', params: '{"agent_id":"audited-agent"}', status: 200 });
  });

  test('503 with Retry-After while the store is down, answers again once it is back', async () => {
    await store.down();
    try {
      const res = await get('/v1/events');
      assert.equal(res.status, 503);
      assert.equal(res.headers['retry-after'], '5');
      assert.equal((res.body as { code: string }).code, 'RW_ERR_STORE_UNAVAILABLE');
    } finally {
      await store.up();
    }
    assert.equal((await get('/v1/events?tenant=other')).status, 200);
  });
});
