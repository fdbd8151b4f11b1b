// The evidence writer on the embedded bus and chDB: every record stored once (redelivery,
// duplicates and re-published events included), secrets never stored, PII per tenant, poison
// dead-lettered, and a store outage mid-stream loses and doubles nothing.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { migrate, readMigrations } from '../services/evidence/migrations.js';
import { countEvents, listEvents } from '../services/evidence/read.js';
import { EvidenceWriter } from '../services/evidence/writer.js';
import { encodeEvent } from '../services/shared/avro/telemetry.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus, BusMessage, OutgoingRecord } from '../services/shared/bus/types.js';
import type { Config } from '../services/shared/config/schema.js';
import { eventKey, parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import { decodeRecord, encodeRecord, type Detection } from '../services/shared/records.js';
import type { Store } from '../services/shared/store/clickhouse.js';
import { waitFor } from './support/bus-contract.js';
import { openTestStore, RestartableStore, evidenceConfig } from './support/evidence.js';

const T0 = Date.UTC(2026, 10, 20, 12, 0, 0);
const OPENAI_KEY = 'sk-proj-' + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY'; // shaped like a key, not a real one

function event(raw: Record<string, unknown>): TelemetryEvent {
  const parsed = parseEvent({ kind: 'prompt', prompt: { messages: [{ role: 'user', content: 'hello' }] }, ...raw }, { receivedAt: T0, tenant: null });
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.event;
}

const record = (e: TelemetryEvent): OutgoingRecord => ({ topic: TOPICS.telemetry, key: eventKey(e), value: encodeEvent(e), timestamp: e.received_at });

function events(n: number, extra: Record<string, unknown> = {}): TelemetryEvent[] {
  return Array.from({ length: n }, (_, i) => event({ event_id: `ev-${randomUUID()}`, ts: T0 + i, agent_id: `agent-${i % 7}`, session_id: `s-${i % 13}`, ...extra }));
}

function startWriter(bus: Bus, store: Store, config: Config, retryMs = 50): EvidenceWriter {
  return new EvidenceWriter({
    bus,
    store,
    log: createLogger({ level: 'silent' }),
    registry: createRegistry({ processMetrics: false }),
    config: { ...config.evidence, flush_ms: 50 },
    retry: { initialMs: retryMs, maxMs: retryMs * 4 },
  });
}

async function storedIds(store: Store): Promise<string[]> {
  const r = await store.client.query({ query: 'SELECT event_id FROM {db:Identifier}.events', query_params: { db: store.database }, format: 'JSONEachRow' });
  return (await r.json<{ event_id: string }>()).map((x) => x.event_id);
}

const stores: Store[] = [];
after(async () => {
  for (const s of stores) await s.close().catch(() => {});
});

async function testStore(name: string, env: Record<string, string> = {}) {
  const opened = await openTestStore(name, env);
  stores.push(opened.store);
  return opened;
}

describe('evidence schema', () => {
  test('migrations run once: a second start applies nothing and the tables exist', async () => {
    const { store } = await testStore('migrate');
    const again = await migrate(store);
    assert.deepEqual(again, { applied: [], changed: [] });
    const r = await store.client.query({ query: 'SELECT name FROM system.tables WHERE database = {db:String} ORDER BY name', query_params: { db: store.database }, format: 'JSONEachRow' });
    const names = (await r.json<{ name: string }>()).map((x) => x.name);
    for (const t of ['actions', 'audit', 'detections', 'events', 'schema_migrations']) assert.ok(names.includes(t), `${t} in ${names.join(',')}`);
    const versions = await store.client.query({ query: 'SELECT count() AS n FROM {db:Identifier}.schema_migrations', query_params: { db: store.database }, format: 'JSONEachRow' });
    assert.equal(Number((await versions.json<{ n: string }>())[0]!.n), readMigrations().length);
  });

  test('retention becomes each table\'s TTL, and 0 removes it', async () => {
    const { store } = await testStore('ttl', { RUNWATCH_EVIDENCE_RETENTION_EVENTS_DAYS: '7' });
    const ddl = async () => {
      const r = await store.client.query({ query: "SELECT create_table_query AS q FROM system.tables WHERE database = {db:String} AND name = 'events'", query_params: { db: store.database }, format: 'JSONEachRow' });
      return (await r.json<{ q: string }>())[0]!.q;
    };
    assert.match(await ddl(), /TTL .*toIntervalDay\((_CAST\()?7/);
    const { applyRetention } = await import('../services/evidence/migrations.js');
    await applyRetention(store, { events: 0, detections: 365, actions: 365, audit: 730 });
    assert.doesNotMatch(await ddl(), /\bTTL\b/);
  });
});

describe('evidence writer', () => {
  test('stores every event once, in batches, and commits only what it stored', async () => {
    const { store, config } = await testStore('once');
    const bus = new MemoryBus({ partitions: 3 });
    await bus.ensureTopics();
    const writer = startWriter(bus, store, config);
    await writer.start();
    const sent = events(2500);
    await bus.produce(sent.map(record));
    // The same events again (an app retrying, the collector draining its spool twice): dropped.
    await bus.produce(sent.slice(0, 300).map(record));
    await waitFor(() => writer.stored.events >= sent.length, 20_000, 'all events stored');
    await new Promise((r) => setTimeout(r, 300));
    await writer.stop();
    const ids = await storedIds(store);
    assert.equal(ids.length, sent.length);
    assert.deepEqual(new Set(ids), new Set(sent.map((e) => e.event_id)));
    const page = await listEvents(store, { tenant: null }, { limit: 5 });
    assert.deepEqual(page.items, [...sent].sort((a, b) => a.ts - b.ts).slice(0, 5), 'the API gives back the events as accepted');
    await bus.close();
  });

  test('a writer restarted on a store that already holds part of the stream stores the rest once', async () => {
    const { store, config } = await testStore('restart');
    const bus = new MemoryBus({ partitions: 2 });
    await bus.ensureTopics();
    const sent = events(1200);
    // As if a previous writer had inserted the first 500 and died before committing offsets.
    const first = startWriter(bus, store, config);
    const sideBus = new MemoryBus({ partitions: 2 });
    const side = startWriter(sideBus, store, { ...config, evidence: { ...config.evidence, group_id: 'side' } });
    await side.start();
    await sideBus.produce(sent.slice(0, 500).map(record));
    await waitFor(() => side.stored.events >= 500, 10_000, 'first part stored');
    await side.stop();
    await bus.produce(sent.map(record));
    await first.start();
    await waitFor(() => first.stored.events >= 700, 10_000, 'the rest stored');
    await new Promise((r) => setTimeout(r, 300));
    await first.stop();
    assert.equal(first.stored.events, 700);
    assert.equal((await storedIds(store)).length, 1200);
    await bus.close();
    await sideBus.close();
  });

  test('secrets never reach the store; PII is masked, hashed or kept per tenant', async () => {
    const { store, config } = await testStore('redact', {
      RUNWATCH_EVIDENCE_PII: 'mask',
      RUNWATCH_EVIDENCE_HASH_KEY: 'a-test-hmac-key-of-some-length',
    });
    config.evidence.redaction.tenants = { hashed: { pii: 'hash' }, kept: { pii: 'keep' } };
    const bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const writer = startWriter(bus, store, config);
    await writer.start();
    const text = `use ${OPENAI_KEY} and mail alice@example.com`;
    const sent = ['default', 'hashed', 'kept'].map((tenant) =>
      event({ tenant, event_id: `e-${tenant}`, kind: 'tool_call', prompt: undefined, tool_call: { name: 'send', arguments: { body: text, nested: [{ k: text }] }, result: text } }),
    );
    await bus.produce(sent.map(record));
    await waitFor(() => writer.stored.events >= 3, 10_000, 'stored');
    await writer.stop();
    const dump = await store.client.query({ query: 'SELECT * FROM {db:Identifier}.events', query_params: { db: store.database }, format: 'JSONEachRow' });
    const all = await dump.text();
    assert.ok(!all.includes(OPENAI_KEY), 'the key is nowhere in any column');
    assert.ok(!all.includes(OPENAI_KEY.slice(8, 24)), 'not even a part of it');
    const byTenant = Object.fromEntries((await listEvents(store, { tenant: null }, { limit: 10 })).items.map((e) => [e.tenant, e.tool_call!]));
    assert.equal(byTenant.default!.arguments.body, 'use [REDACTED:openai_key:95] and mail [PII:email:50]');
    assert.match(String(byTenant.hashed!.result), /^use \[REDACTED:openai_key:95\] and mail \[PII:email:50:[0-9a-f]{16}\]$/);
    assert.equal(byTenant.kept!.arguments.body, 'use [REDACTED:openai_key:95] and mail alice@example.com');
    assert.deepEqual((byTenant.default!.arguments.nested as Array<{ k: string }>)[0]!.k, byTenant.default!.arguments.body);
    await bus.close();
  });

  test('undecodable messages go to the dead-letter topic and the rest is stored', async () => {
    const { store, config } = await testStore('poison');
    const bus = new MemoryBus({ partitions: 1 });
    await bus.ensureTopics();
    const writer = startWriter(bus, store, config);
    await writer.start();
    const good = events(3);
    await bus.produce([record(good[0]!), { topic: TOPICS.telemetry, key: 'x', value: Buffer.from('not avro') }, record(good[1]!), { topic: TOPICS.detections, key: 'x', value: Buffer.from([0, 0, 0, 0, 101, 9]) }, record(good[2]!)]);
    const dead: BusMessage[] = [];
    const sub = await bus.consume({ groupId: 'dlq', topics: [TOPICS.deadletter], fromBeginning: true, eachBatch: async (b) => void dead.push(...b.messages) });
    await waitFor(() => writer.stored.events >= 3 && dead.length >= 2, 10_000, 'stored and dead-lettered');
    await sub.stop();
    await writer.stop();
    const letters = dead.map((m) => decodeRecord('DeadLetter', m.value!));
    assert.deepEqual(letters.map((l) => [l.stage, l.origin_topic]).sort(), [['evidence', TOPICS.detections], ['evidence', TOPICS.telemetry]]);
    assert.equal(await countEvents(store, { tenant: null }), 3);
    await bus.close();
  });

  test('a store outage mid-stream: consumption pauses, nothing is lost or doubled when it returns', async () => {
    const config = evidenceConfig('outage');
    const store = await RestartableStore.open(config);
    stores.push(store);
    const bus = new MemoryBus({ partitions: 3 });
    await bus.ensureTopics();
    const writer = startWriter(bus, store, config, 30);
    await writer.start();
    const sent = events(3000);
    const detection = (e: TelemetryEvent): Detection => ({
      detection_id: `det-${e.event_id}`, rule_id: 'r', rule_version: 1, severity: 'high', ts: e.ts, detected_at: e.ts, tenant: e.tenant,
      agent_id: e.agent_id, session_id: e.session_id, key_id: null, user_id: null, group_key: e.session_id ?? '', event_ids: [e.event_id],
      window_start: e.ts, window_end: e.ts, summary: 's', tags: [], playbooks: [], evidence: [], suppressed_count: 0,
    });
    await bus.produce(sent.slice(0, 1000).map(record));
    await waitFor(() => writer.stored.events >= 1000, 10_000, 'first third stored');
    await store.down();
    // Accepted while the store is down: events and their detections.
    await bus.produce(sent.slice(1000, 2000).map(record));
    await bus.produce(sent.slice(1000, 1100).map((e) => ({ topic: TOPICS.detections, key: eventKey(e), value: encodeRecord('Detection', detection(e)) })));
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(writer.stored.events, 1000, 'nothing stored while down');
    await store.up();
    await bus.produce(sent.slice(2000).map(record));
    await waitFor(() => writer.stored.events >= 3000 && writer.stored.detections >= 100, 20_000, `all stored after the outage (${writer.stored.events})`);
    await new Promise((r) => setTimeout(r, 300));
    await writer.stop();
    const ids = await storedIds(store);
    assert.equal(ids.length, 3000, 'row count matches what was accepted');
    assert.equal(new Set(ids).size, 3000, 'no duplicates');
    const d = await store.client.query({ query: 'SELECT count() AS n, uniqExact(detection_id) AS u FROM {db:Identifier}.detections', query_params: { db: store.database }, format: 'JSONEachRow' });
    const [counts] = await d.json<{ n: string; u: string }>();
    assert.deepEqual([Number(counts!.n), Number(counts!.u)], [100, 100]);
    await bus.close();
  });
});
