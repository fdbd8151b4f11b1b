// HTTP in → Kafka → decoded events, against a real broker; and the broker stopped while apps
// keep posting: every accepted event still arrives, in order per key.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import fc from 'fast-check';
import { decodeEvent } from '../services/shared/avro/telemetry.js';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus } from '../services/shared/bus/types.js';
import { loadConfig } from '../services/shared/config/load.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger } from '../services/shared/log.js';
import { rawEventArbitrary } from './support/arbitraries.js';
import { TestBroker } from './support/broker.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector } from './support/collector.js';
import { kafkaBrokers } from './support/kafka.js';

const log = createLogger({ level: 'fatal' });

function kafkaBus(brokers: string[]): KafkaBus {
  const config = loadConfig({ env: { KAFKA_BROKERS: brokers.join(','), RUNWATCH_KAFKA_PARTITIONS: '3' } });
  return new KafkaBus(config.kafka, log);
}

/** Telemetry of one tenant, in topic order per partition, read by a fresh consumer group. */
async function readTenant(bus: Bus, tenant: string, expected: number, timeoutMs: number): Promise<TelemetryEvent[]> {
  const got: Array<{ partition: number; offset: number; event: TelemetryEvent }> = [];
  const sub = await bus.consume({
    groupId: `read-${randomUUID()}`,
    topics: [TOPICS.telemetry],
    fromBeginning: true,
    eachBatch: async (b) => {
      for (const m of b.messages) {
        const event = decodeEvent(m.value!);
        if (event.tenant === tenant) got.push({ partition: m.partition, offset: Number(m.offset), event });
      }
    },
  });
  try {
    await waitFor(() => new Set(got.map((g) => g.event.event_id)).size >= expected, timeoutMs, `${expected} events of tenant ${tenant} (have ${got.length})`);
  } finally {
    await sub.stop();
  }
  return got.sort((a, b) => a.partition - b.partition || a.offset - b.offset).map((g) => g.event);
}

describe('collector on Kafka', () => {
  test('events posted over HTTP come off runwatch.telemetry.v1 identical to what was validated', async () => {
    const bus = kafkaBus(kafkaBrokers());
    await bus.ensureTopics();
    const tenant = `t-${randomUUID().slice(0, 8)}`;
    const c = await startTestCollector(bus, { KAFKA_BROKERS: kafkaBrokers().join(',') });
    try {
      const raws = fc.sample(rawEventArbitrary(), { numRuns: 120, seed: 42 }).map((r, i) => ({ ...r, tenant, event_id: `ev-${i}` }));
      for (let i = 0; i < raws.length; i += 40) {
        const res = await c.post('/v1/events', JSON.stringify(raws.slice(i, i + 40)));
        assert.equal(res.status, 202, JSON.stringify(res.json));
      }
      const got = await readTenant(bus, tenant, raws.length, 30_000);
      assert.equal(got.length, raws.length);
      const byId = new Map(got.map((e) => [e.event_id, e]));
      for (const raw of raws) {
        const actual = byId.get(raw.event_id);
        assert.ok(actual, `event ${raw.event_id} missing`);
        const expected = parseEvent(raw, { receivedAt: actual.received_at, tenant: null });
        assert.ok(expected.ok);
        assert.deepStrictEqual(actual, expected.event);
      }
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('broker stopped while posting, then restarted: every accepted event arrives, in order per key', { timeout: 240_000 }, async () => {
    // A broker of its own: this test stops it.
    const broker = await TestBroker.launch();
    const bus = kafkaBus([broker.brokers]);
    await bus.ensureTopics();
    const tenant = 'restart';
    const c = await startTestCollector(bus, { KAFKA_BROKERS: broker.brokers, RUNWATCH_PRODUCE_TIMEOUT_MS: '1500' });
    const agents = ['agent-a', 'agent-b', 'agent-c', 'agent-d'];
    let n = 0;
    const accepted: string[] = [];
    const post = async (): Promise<void> => {
      const batch = agents.map((agent) => ({
        event_id: `e-${String(n).padStart(5, '0')}-${agent}`,
        tenant,
        agent_id: agent,
        kind: 'tool_call',
        tool_call: { name: 'step', arguments: { n } },
      }));
      n++;
      const res = await c.post('/v1/events', JSON.stringify(batch));
      assert.equal(res.status, 202, JSON.stringify(res.json));
      accepted.push(...batch.map((e) => e.event_id));
    };
    try {
      for (let i = 0; i < 10; i++) await post();
      await broker.stop();
      for (let i = 0; i < 10; i++) await post();
      assert.ok(c.collector.spool.segments > 0, 'events were spooled while the broker was down');
      await broker.start();
      for (let i = 0; i < 10; i++) {
        await post();
        await sleep(50);
      }
      await waitFor(() => c.collector.spool.isEmpty, 120_000, 'the spool to drain');
      const got = await readTenant(bus, tenant, accepted.length, 60_000);
      // A produce that timed out may also have landed: duplicates are allowed, loss and reordering are not.
      const firstSeen: string[] = [];
      const seen = new Set<string>();
      for (const e of got) {
        if (seen.has(e.event_id)) continue;
        seen.add(e.event_id);
        firstSeen.push(e.event_id);
      }
      assert.deepEqual([...seen].sort(), [...accepted].sort());
      for (const agent of agents) {
        const order = firstSeen.filter((id) => id.endsWith(agent));
        assert.deepEqual(order, accepted.filter((id) => id.endsWith(agent)), `order of ${agent}`);
      }
    } finally {
      await c.close();
      await bus.close();
      await broker.destroy();
    }
  });
});
