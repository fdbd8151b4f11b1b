// Event size against a real broker (message.max.bytes at its default, about 1 MB): an event over
// the edge limit is a 207 and a dead letter, never an accepted record Kafka refuses; a broker
// whose limit is below runwatch's (collector.max_event_bytes raised past it) costs that one
// event a dead letter, and neither the direct path nor the spool drain wedges on it.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import kafkajs from 'kafkajs';
import { ingest } from '../services/collector/ingest.js';
import { Spool } from '../services/collector/spool.js';
import { decodeEvent } from '../services/shared/avro/telemetry.js';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus, OutgoingRecord } from '../services/shared/bus/types.js';
import { loadConfig } from '../services/shared/config/load.js';
import { RecordTooLargeError } from '../services/shared/errors.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger } from '../services/shared/log.js';
import { decodeRecord, type DeadLetter } from '../services/shared/records.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector } from './support/collector.js';
import { kafkaBrokers } from './support/kafka.js';

const { Kafka, logLevel } = kafkajs;
const log = createLogger({ level: 'fatal' });
const MiB = 1024 * 1024;

function kafkaBus(): KafkaBus {
  return new KafkaBus(loadConfig({ env: { KAFKA_BROKERS: kafkaBrokers().join(','), RUNWATCH_KAFKA_PARTITIONS: '3' } }).kafka, log);
}

const output = (tenant: string, agent: string, id: string, text = `answer ${id}`) => ({ event_id: id, tenant, agent_id: agent, kind: 'output', output: { text } });

/** Every message of `topic` whose key passes `keep`, read by a fresh group; in order per partition. */
async function readTopic(bus: Bus, topic: string, keep: (key: string) => boolean, expected: number, timeoutMs = 30_000) {
  const got: Array<{ partition: number; offset: number; key: string; value: Buffer }> = [];
  const sub = await bus.consume({
    groupId: `read-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (b) => {
      for (const m of b.messages) {
        const key = m.key?.toString() ?? '';
        if (keep(key)) got.push({ partition: m.partition, offset: Number(m.offset), key, value: m.value! });
      }
    },
  });
  try {
    await waitFor(() => got.length >= expected, timeoutMs, `${expected} messages on ${topic} (have ${got.length})`);
    await new Promise((r) => setTimeout(r, 500)); // and nothing more
  } finally {
    await sub.stop();
  }
  return got.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

async function telemetryOf(bus: Bus, tenant: string, expected: number): Promise<TelemetryEvent[]> {
  return (await readTopic(bus, TOPICS.telemetry, (k) => k.startsWith(`${tenant}:`), expected)).map((m) => decodeEvent(m.value));
}

async function deadLettersOf(bus: Bus, tenant: string, expected: number): Promise<DeadLetter[]> {
  return (await readTopic(bus, TOPICS.deadletter, (k) => k === tenant, expected)).map((m) => decodeRecord('DeadLetter', m.value));
}

/** Event ids per agent in topic order, each id once (a timed-out produce may land twice; loss and reordering may not). */
function idsByAgent(events: TelemetryEvent[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const seen = new Set<string>();
  for (const e of events) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    (out[e.agent_id ?? ''] ??= []).push(e.event_id);
  }
  return out;
}

describe('event size on Kafka', () => {
  test('an event over collector.max_event_bytes among normal ones: 207 naming it, the others arrive, ingestion goes on', { timeout: 120_000 }, async () => {
    const bus = kafkaBus();
    await bus.ensureTopics();
    const tenant = `size-${randomUUID().slice(0, 8)}`;
    const c = await startTestCollector(bus, { KAFKA_BROKERS: kafkaBrokers().join(',') });
    try {
      const batch = [
        output(tenant, 'agent-a', 'a0'),
        output(tenant, 'agent-b', 'big-1', 'x'.repeat(1_500_000)),
        output(tenant, 'agent-c', 'c0'),
        output(tenant, 'agent-a', 'a1'),
      ];
      const res = await c.post('/v1/events', JSON.stringify(batch));
      assert.equal(res.status, 207, JSON.stringify(res.json));
      assert.equal(res.json.accepted, 3);
      assert.equal(res.json.rejected.length, 1);
      assert.equal(res.json.rejected[0].index, 1);
      assert.match(res.json.rejected[0].error, /^event too large: 15\d{5} bytes once encoded, over the limit of 921600 bytes per event/);
      const alone = await c.post('/v1/events', JSON.stringify(output(tenant, 'agent-b', 'big-2', 'y'.repeat(3 * MiB))));
      assert.equal(alone.status, 207);
      assert.equal(alone.json.accepted, 0);
      assert.equal(alone.json.rejected[0].index, 0);
      for (let i = 2; i < 7; i++) {
        const next = await c.post('/v1/events', JSON.stringify([output(tenant, 'agent-a', `a${i}`), output(tenant, 'agent-c', `c${i}`)]));
        assert.equal(next.status, 202, JSON.stringify(next.json));
      }
      assert.equal(c.collector.spool.segments, 0, 'nothing was spooled: Kafka took every record');
      const got = idsByAgent(await telemetryOf(bus, tenant, 13));
      assert.deepEqual(got, {
        'agent-a': ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6'],
        'agent-c': ['c0', 'c2', 'c3', 'c4', 'c5', 'c6'],
      });
      const dead = await deadLettersOf(bus, tenant, 2);
      assert.equal(dead.length, 2);
      for (const d of dead) {
        assert.match(d.reason, /^event too large: \d+ bytes once encoded.*; event_id big-\d$/);
        assert.ok(d.payload_truncated);
        assert.ok(d.payload.length <= 256 * 1024, `dead letter payload of ${d.payload.length} bytes`);
      }
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('many small events for one agent in one request, together over Kafka’s message limit, all arrive in order', { timeout: 120_000 }, async () => {
    const bus = kafkaBus();
    await bus.ensureTopics();
    const tenant = `many-${randomUUID().slice(0, 8)}`;
    const c = await startTestCollector(bus, { KAFKA_BROKERS: kafkaBrokers().join(',') });
    try {
      // About 1.8 MB of Avro for one key: one record batch of it would be MESSAGE_TOO_LARGE.
      const batch = Array.from({ length: 3000 }, (_, i) => output(tenant, 'agent-same', `s${String(i).padStart(4, '0')}`, 'y'.repeat(500)));
      const res = await c.post('/v1/events', JSON.stringify(batch));
      assert.equal(res.status, 202, JSON.stringify(res.json));
      assert.equal(c.collector.spool.segments, 0, 'nothing was spooled');
      assert.equal((await c.post('/v1/events', JSON.stringify(output(tenant, 'agent-same', 'after')))).status, 202);
      const got = idsByAgent(await telemetryOf(bus, tenant, 3001));
      assert.deepEqual(got['agent-same'], [...batch.map((e) => e.event_id), 'after']);
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('a broker limit below runwatch’s, direct path: the refused event is a 207 and a dead letter; the rest arrives in order', { timeout: 120_000 }, async () => {
    const bus = kafkaBus();
    await bus.ensureTopics();
    const tenant = `refused-${randomUUID().slice(0, 8)}`;
    // The edge lets 4 MiB events through; the broker takes about 1 MB.
    const c = await startTestCollector(bus, { KAFKA_BROKERS: kafkaBrokers().join(','), RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: String(4 * MiB) });
    try {
      const batch = [
        output(tenant, 'agent-a', 'a0'),
        output(tenant, 'agent-c', 'c0'),
        output(tenant, 'agent-a', 'big-1', 'x'.repeat(1_500_000)),
        output(tenant, 'agent-a', 'a1'),
        output(tenant, 'agent-c', 'c1'),
      ];
      const res = await c.post('/v1/events', JSON.stringify(batch));
      assert.equal(res.status, 207, JSON.stringify(res.json));
      assert.equal(res.json.accepted, 4);
      assert.equal(res.json.rejected[0].index, 2);
      assert.match(res.json.rejected[0].error, /^Kafka refused the event as too large: 15\d{5} bytes once encoded/);
      for (let i = 2; i < 5; i++) assert.equal((await c.post('/v1/events', JSON.stringify([output(tenant, 'agent-a', `a${i}`), output(tenant, 'agent-c', `c${i}`)]))).status, 202);
      assert.equal(c.collector.spool.segments, 0);
      const got = idsByAgent(await telemetryOf(bus, tenant, 10));
      assert.deepEqual(got, { 'agent-a': ['a0', 'a1', 'a2', 'a3', 'a4'], 'agent-c': ['c0', 'c1', 'c2', 'c3', 'c4'] });
      const [dead] = await deadLettersOf(bus, tenant, 1);
      assert.equal(dead!.origin_topic, TOPICS.telemetry);
      assert.match(dead!.reason, /; event_id big-1$/);
      assert.ok(dead!.payload.length < 1024);
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      assert.match(metrics, /runwatch_collector_records_refused_total 1/);
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('a broker limit below runwatch’s, spool path: the drain dead-letters the refused event and goes on; nothing behind it waits', { timeout: 120_000 }, async () => {
    const bus = kafkaBus();
    await bus.ensureTopics();
    const tenant = `spooled-${randomUUID().slice(0, 8)}`;
    const env = { KAFKA_BROKERS: kafkaBrokers().join(','), RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: String(4 * MiB), RUNWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'rw-size-')) };
    // What a previous run accepted and spooled (Kafka was away): a 1.5 MB event among others.
    const spool = await Spool.open(loadConfig({ env }).collector.spool.dir!, 1024 * MiB);
    const segment = (events: unknown[]): OutgoingRecord[] =>
      ingest(events.map((raw) => ({ ok: true as const, raw })), { receivedAt: Date.now(), tenant: null }, { maxEventBytes: 4 * MiB }).records;
    await spool.append(segment([output(tenant, 'agent-a', 'a0'), output(tenant, 'agent-c', 'c0'), output(tenant, 'agent-a', 'big-1', 'x'.repeat(1_500_000)), output(tenant, 'agent-a', 'a1')]));
    await spool.append(segment([output(tenant, 'agent-c', 'big-2', 'z'.repeat(2 * MiB))]));
    await spool.append(segment([output(tenant, 'agent-a', 'a2'), output(tenant, 'agent-c', 'c1')]));
    const c = await startTestCollector(bus, env);
    try {
      // Accepted while the spool drains: queued behind it.
      assert.equal((await c.post('/v1/events', JSON.stringify([output(tenant, 'agent-a', 'a3'), output(tenant, 'agent-c', 'c2')]))).status, 202);
      await waitFor(() => c.collector.spool.isEmpty, 60_000, 'the spool to drain');
      assert.equal((await c.post('/v1/events', JSON.stringify([output(tenant, 'agent-a', 'a4'), output(tenant, 'agent-c', 'c3')]))).status, 202);
      assert.equal(c.collector.spool.segments, 0);
      const got = idsByAgent(await telemetryOf(bus, tenant, 9));
      assert.deepEqual(got, { 'agent-a': ['a0', 'a1', 'a2', 'a3', 'a4'], 'agent-c': ['c0', 'c1', 'c2', 'c3'] });
      const dead = await deadLettersOf(bus, tenant, 2);
      assert.deepEqual(dead.map((d) => d.reason.replace(/.*event_id /, '')).sort(), ['big-1', 'big-2']);
      assert.ok(dead.every((d) => d.origin_topic === TOPICS.telemetry && d.payload.length < 1024));
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('the bus on a topic with a small max.message.bytes: requests are split, the record over it is named, nothing else is lost', { timeout: 120_000 }, async () => {
    const topic = `size-${randomUUID()}`;
    const admin = new Kafka({ brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const bus = kafkaBus();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'max.message.bytes', value: String(64 * 1024) }] }],
      });
      // 300 KB in one request, 100 KB per key: each partition's batch is over the topic's limit.
      const small = Array.from({ length: 300 }, (_, i) => ({ topic, key: `k${i % 3}`, value: Buffer.from(`${i}:`.padEnd(1000, '.')) }));
      await bus.produce(small);
      // A request with a record over the limit: those before it land, it is named by its index.
      await bus.produce([{ topic, key: 'k0', value: Buffer.from('A') }]);
      await assert.rejects(
        bus.produce([
          { topic, key: 'k0', value: Buffer.from('B') },
          { topic, key: 'k1', value: Buffer.from('C') },
          { topic, key: 'k2', value: Buffer.alloc(100_000) },
        ]),
        (err: unknown) => err instanceof RecordTooLargeError && err.index === 2 && err.bytes === 100_000 && err.topic === topic,
      );
      // kafkajs rolled back the sequence numbers of k0's and k1's partitions although the broker
      // had appended B and C: on the same producer the broker would take D for a retry of B and drop it.
      await bus.produce([{ topic, key: 'k0', value: Buffer.from('D') }, { topic, key: 'k1', value: Buffer.from('E') }]);
      const got = await readTopic(bus, topic, () => true, 300 + 5);
      // Each value once, in first-seen order: a request that failed may have landed in part before it was split and sent again.
      const values = (key: string): string[] => [...new Set(got.filter((m) => m.key === key).map((m) => m.value.toString().split(':')[0]!))];
      assert.deepEqual(values('k0'), [...small.filter((r) => r.key === 'k0').map((r) => r.value.toString().split(':')[0]!), 'A', 'B', 'D']);
      assert.deepEqual(values('k1'), [...small.filter((r) => r.key === 'k1').map((r) => r.value.toString().split(':')[0]!), 'C', 'E']);
      assert.equal(values('k2').length, 100);
    } finally {
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
      await admin.disconnect();
      await bus.close();
    }
  });
});
