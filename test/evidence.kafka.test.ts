// Evidence end to end on the real broker: HTTP in, Kafka through, a detector worker and the
// evidence writer consuming, chDB rows and the operator API out. ClickHouse goes away in the
// middle of the stream and comes back: every accepted event is stored exactly once, and a
// detection's timeline holds the events that caused it, in order; a backtest over the stored
// events reproduces the stored detections and finds a new rule's extra ones.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DetectorWorker } from '../services/detector/worker.js';
import { AuditLog } from '../services/evidence/audit.js';
import { EvidenceWriter } from '../services/evidence/writer.js';
import { backtest } from '../services/replay/backtest.js';
import { createOperatorApi } from '../services/responder/api.js';
import { createDetectorRegistry } from '../services/shared/detectors/registry.js';
import { loadPackOrThrow } from '../services/shared/rules/pack-loader.js';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import type { Detection } from '../services/shared/records.js';
import { startTestCollector } from './support/collector.js';
import { evidenceConfig, RestartableStore } from './support/evidence.js';
import { kafkaBrokers } from './support/kafka.js';
import { CHAIN_RULE, ruleDir } from './support/rule-pack.js';

test('HTTP → Kafka → ClickHouse with a store outage mid-stream: nothing lost or doubled; timelines in order; backtests exact', { timeout: 240_000 }, async () => {
  const brokers = kafkaBrokers().join(',');
  const tenant = `ev-${randomUUID().slice(0, 8)}`;
  const config = evidenceConfig('kafka', { KAFKA_BROKERS: brokers, RUNWATCH_KAFKA_PARTITIONS: '4', RUNWATCH_EVIDENCE_GROUP_ID: `evidence-${randomUUID()}` });
  const log = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const bus = new KafkaBus(config.kafka, log);
  await bus.ensureTopics();
  const store = await RestartableStore.open(config);
  const registry = createRegistry({ processMetrics: false });
  const chainRules = ruleDir(CHAIN_RULE);
  const detector = new DetectorWorker({ bus, log, registry, groupId: `detectors-${randomUUID()}`, ruleDirs: [chainRules], watchRules: false });
  const writer = new EvidenceWriter({ bus, store, log, registry, config: { ...config.evidence, flush_ms: 200 }, retry: { initialMs: 100, maxMs: 500 } });
  const audit = new AuditLog(store, log);
  const api = createOperatorApi({ config, log, registry, store, audit, health: () => ({ ok: true }) });
  const collector = await startTestCollector(bus, { KAFKA_BROKERS: brokers });
  await detector.start();
  await writer.start();
  await api.ready();
  const apiGet = async <T>(url: string): Promise<{ body: T; next: string | undefined }> => {
    const res = await api.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 200, res.body);
    return { body: res.json() as T, next: res.headers['x-next-cursor'] as string | undefined };
  };
  const allEvents = async (): Promise<TelemetryEvent[]> => {
    const out: TelemetryEvent[] = [];
    let cursor: string | undefined;
    do {
      const page = await apiGet<TelemetryEvent[]>(`/v1/events?tenant=${tenant}&limit=1000${cursor ? `&cursor=${cursor}` : ''}`);
      out.push(...page.body);
      cursor = page.next;
    } while (cursor);
    return out;
  };

  try {
    const sessions = 20;
    // No ts: stamped when accepted, so the two steps are in order and never late for the window.
    const chain = (session: number, name: string) => ({
      event_id: `${tenant}-${name}-${session}`,
      tenant,
      agent_id: `agent-${session % 5}`,
      session_id: `session-${session}`,
      kind: 'tool_call',
      tool_call: { name, arguments: { session } },
    });
    const filler = (i: number) => ({ tenant, agent_id: `agent-${i % 5}`, session_id: `session-${i % sessions}`, kind: 'prompt', prompt: { messages: [{ role: 'user', content: `message ${i}` }] } });
    const accepted = new Set<string>();
    let fillers = 0;
    const post = async (batch: Array<Record<string, unknown>>) => {
      const res = await collector.post('/v1/events', JSON.stringify(batch));
      assert.equal(res.status, 202, JSON.stringify(res.json));
      for (const e of batch) if (typeof e.event_id === 'string') accepted.add(e.event_id);
      fillers += batch.filter((e) => e.event_id === undefined).length;
    };
    // First steps, then filler, with the store down for a while in the middle, then last steps.
    await post(Array.from({ length: sessions }, (_, s) => chain(s, 'read_secrets')));
    for (let i = 0; i < 10; i++) await post(Array.from({ length: 200 }, (_, j) => filler(i * 200 + j)));
    // The topic also holds other tests' events: count this tenant's rows, not the writer's total.
    const storedOf = async (table: 'events' | 'detections') => {
      const r = await store.client.query({ query: 'SELECT count() AS n FROM {db:Identifier}.{table:Identifier} WHERE tenant = {tenant:String}', query_params: { db: store.database, table, tenant }, format: 'JSONEachRow' });
      return Number((await r.json<{ n: string }>())[0]!.n);
    };
    const until = async (cond: () => Promise<boolean>, ms: number, what: string) => {
      for (const deadline = Date.now() + ms; !(await cond()); await sleep(200)) if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    };
    await until(async () => (await storedOf('events')) > 0, 60_000, 'the writer to store some of this tenant\'s events');
    await store.down();
    for (let i = 10; i < 20; i++) await post(Array.from({ length: 200 }, (_, j) => filler(i * 200 + j)));
    await post(Array.from({ length: sessions }, (_, s) => chain(s, 'send_email')));
    // An app retrying a batch it thinks failed: the same event ids again.
    await post(Array.from({ length: sessions }, (_, s) => chain(s, 'send_email')));
    await sleep(1500);
    await store.up();
    const expected = accepted.size + fillers;

    await until(async () => (await storedOf('events')) >= expected && (await storedOf('detections')) >= sessions, 120_000, `${expected} events and ${sessions} detections stored`);
    await sleep(1000);
    const stored = await allEvents();
    assert.equal(stored.length, expected, 'every accepted event, once');
    assert.equal(new Set(stored.map((e) => e.event_id)).size, expected, 'no event twice');
    for (const id of accepted) assert.ok(stored.some((e) => e.event_id === id), `${id} stored`);
    assert.ok(stored.every((e, i) => i === 0 || stored[i - 1]!.ts < e.ts || (stored[i - 1]!.ts === e.ts && stored[i - 1]!.event_id < e.event_id)), 'in time order');

    const detections = (await apiGet<Detection[]>(`/v1/detections?tenant=${tenant}&limit=100`)).body;
    assert.equal(detections.length, sessions, 'one detection per session');
    for (const d of detections) {
      const timeline = (await apiGet<TelemetryEvent[]>(`/v1/detections/${d.detection_id}/timeline`)).body;
      const s = Number(d.session_id!.split('-')[1]);
      assert.deepEqual(timeline.map((e) => e.event_id), [`${tenant}-read_secrets-${s}`, `${tenant}-send_email-${s}`]);
      assert.deepEqual(timeline.map((e) => e.tool_call!.name), ['read_secrets', 'send_email']);
    }

    // A backtest over what was stored reproduces the stored detections exactly, and a new rule's extra ones.
    const registry = createDetectorRegistry();
    const range = { since: Date.now() - 3_600_000, until: Date.now() + 1000, tenant, partitions: config.kafka.partitions, detectors: registry };
    const same = await backtest(store, { ...range, pack: loadPackOrThrow([chainRules], registry) });
    assert.deepEqual(same.totals, { new: 0, missing: 0, unchanged: sessions });
    const extra = `${CHAIN_RULE}---
kind: rule
id: t.email
name: Any email
version: 1
severity: low
match: { tool_call.name: send_email }
`;
    const added = await backtest(store, { ...range, pack: loadPackOrThrow([ruleDir(extra)], registry) });
    assert.deepEqual(added.totals, { new: sessions, missing: 0, unchanged: sessions });
    assert.deepEqual(added.by_rule.find((r) => r.rule_id === 't.email'), { rule_id: 't.email', new: sessions, missing: 0, unchanged: 0 });
  } finally {
    await collector.close();
    await detector.stop();
    await writer.stop();
    await api.close();
    await audit.close();
    await bus.close();
    await store.close();
  }
});
