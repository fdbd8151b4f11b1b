// The per-event size limit at the edge (collector.max_event_bytes, on the Avro-encoded record),
// on the embedded bus; and what the collector does when the bus still refuses a record as too
// large (a Kafka broker with a lower limit): dead letter instead, nothing wedged, order kept.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ingest, withRefused } from '../services/collector/ingest.js';
import { decodeEvent, encodeEvent } from '../services/shared/avro/telemetry.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { recordBytes, REQUEST_BUDGET_BYTES, requestRanges } from '../services/shared/bus/request-size.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus, BusMessage, OutgoingRecord } from '../services/shared/bus/types.js';
import { loadConfig } from '../services/shared/config/load.js';
import { BusUnavailableError, RecordTooLargeError } from '../services/shared/errors.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import { decodeRecord } from '../services/shared/records.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector, type TestCollector } from './support/collector.js';
import { readTopic } from './support/read-topic.js';

const output = (agent: string, n: number, text = `answer ${n}`) => ({ agent_id: agent, kind: 'output', output: { text }, attributes: { n: String(n) } });

/** Avro-encoded size of an event as the collector would encode it. */
function encodedSize(raw: unknown): number {
  const parsed = parseEvent(raw, { receivedAt: Date.now(), tenant: null });
  assert.ok(parsed.ok);
  return encodeEvent(parsed.event).length;
}

const ns = (messages: BusMessage[]): string[] => messages.map((m) => decodeEvent(m.value!).attributes.n!);

/**
 * The embedded bus with a broker's message limit: records up to the one over `limit` bytes are
 * taken, then RecordTooLargeError names it, as KafkaBus reports MESSAGE_TOO_LARGE. Can be down.
 */
class LimitedBus extends MemoryBus {
  down = false;
  constructor(public limit: number) {
    super({ partitions: 1 });
  }

  override async produce(records: OutgoingRecord[]): Promise<void> {
    if (this.down) throw new BusUnavailableError('broker down (test)');
    const at = records.findIndex((r) => (r.value?.length ?? 0) > this.limit);
    await super.produce(at < 0 ? records : records.slice(0, at));
    if (at >= 0) throw new RecordTooLargeError(at, records[at]!.topic, records[at]!.value!.length);
  }
}

describe('the per-event size limit at the edge', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });
  async function collector(env: Record<string, string>, bus: Bus = new MemoryBus({ partitions: 1 })): Promise<TestCollector & { bus: Bus }> {
    const c = await startTestCollector(bus, env);
    closers.push(async () => {
      await c.close();
      await bus.close();
    });
    return { ...c, bus };
  }

  test('defaults to 900 KiB, under Kafka’s default message.max.bytes; env and YAML key set it', () => {
    assert.equal(loadConfig({ env: {} }).collector.max_event_bytes, 921_600);
    assert.ok(921_600 + 1024 < 1_048_588);
    assert.equal(loadConfig({ env: { RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '4096' } }).collector.max_event_bytes, 4096);
    assert.throws(() => loadConfig({ env: { RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '10' } }), /collector\.max_event_bytes/);
  });

  test('in a batch: 207 naming the index, the size and the limit; the others accepted in order; a small dead letter', async () => {
    const c = await collector({ RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '4096' });
    const big = { ...output('a', 1, 'x'.repeat(10_000)), event_id: 'big-1' };
    const size = encodedSize(big);
    const res = await c.post('/v1/events', JSON.stringify([output('a', 0), big, output('a', 2)]));
    assert.equal(res.status, 207);
    assert.equal(res.json.accepted, 2);
    assert.equal(res.json.rejected.length, 1);
    assert.equal(res.json.rejected[0].index, 1);
    assert.equal(res.json.rejected[0].error, `event too large: ${size} bytes once encoded, over the limit of 4096 bytes per event (collector.max_event_bytes)`);
    assert.deepEqual(ns(await readTopic(c.bus, TOPICS.telemetry, 2)), ['0', '2']);
    const [dead] = (await readTopic(c.bus, TOPICS.deadletter, 1)).map((m) => decodeRecord('DeadLetter', m.value!));
    assert.equal(dead!.stage, 'collector');
    assert.equal(dead!.tenant, 'default');
    assert.match(dead!.reason, /^event too large: \d+ bytes .*; event_id big-1$/);
    assert.ok(dead!.payload_truncated);
    assert.equal(dead!.payload.length, 2048, 'the payload is cut at half the event limit');
    assert.ok(dead!.payload.toString().startsWith('{"event_id":"big-1"'));
  });

  test('alone: the answer a single invalid event gets (207, accepted 0, the rejection at index 0)', async () => {
    const c = await collector({ RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '4096' });
    const invalid = await c.post('/v1/events', JSON.stringify({ kind: 'output' }));
    const big = await c.post('/v1/events', JSON.stringify(output('a', 1, 'y'.repeat(5000))));
    assert.equal(big.status, invalid.status);
    assert.deepEqual(Object.keys(big.json), Object.keys(invalid.json));
    assert.equal(big.json.accepted, 0);
    assert.equal(big.json.rejected.length, 1);
    assert.equal(big.json.rejected[0].index, 0);
    assert.match(big.json.rejected[0].error, /^event too large: \d+ bytes once encoded, over the limit of 4096 bytes/);
    // NDJSON entries carry their line, as for any rejection.
    const nd = await c.post('/v1/events', [JSON.stringify(output('a', 2)), JSON.stringify(output('a', 3, 'z'.repeat(5000)))].join('\n'), {
      'content-type': 'application/x-ndjson',
    });
    assert.equal(nd.status, 207);
    assert.deepEqual({ index: nd.json.rejected[0].index, line: nd.json.rejected[0].line }, { index: 1, line: 2 });
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(metrics, /runwatch_collector_events_rejected_total 3/);
  });

  test('the limit is on the encoded record: an event of exactly the limit is accepted, one byte more is not', async () => {
    const raw = output('a', 7, 'w'.repeat(3000));
    const size = encodedSize(raw);
    const at = ingest([{ ok: true, raw }], { receivedAt: Date.now(), tenant: null }, { maxEventBytes: size });
    assert.equal(at.accepted.length, 1);
    assert.equal(at.records[0]!.value!.length, size);
    const under = ingest([{ ok: true, raw }], { receivedAt: Date.now(), tenant: null }, { maxEventBytes: size - 1 });
    assert.equal(under.accepted.length, 0);
    assert.equal(under.records[0]!.topic, TOPICS.deadletter);
  });

  test('OTLP spans go through the same check', async () => {
    const c = await collector({ RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '4096' });
    const span = (spanId: string, text: string) => ({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId,
      name: 'execute_tool send_email',
      startTimeUnixNano: '1717243200000000000',
      endTimeUnixNano: '1717243201000000000',
      attributes: [
        { key: 'gen_ai.operation.name', value: { stringValue: 'execute_tool' } },
        { key: 'gen_ai.tool.name', value: { stringValue: 'send_email' } },
        { key: 'gen_ai.tool.call.arguments', value: { stringValue: JSON.stringify({ body: text }) } },
      ],
    });
    const body = { resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ spans: [span('b7ad6b7169203331', 'ok'), span('b7ad6b7169203332', 'v'.repeat(6000))] }] }] };
    const res = await c.post('/v1/traces', JSON.stringify(body));
    assert.equal(res.status, 200);
    assert.equal(Number(res.json.partialSuccess.rejectedSpans), 1);
    assert.match(res.json.partialSuccess.errorMessage, /event too large/);
  });
});

describe('a record the bus refuses as too large after the edge accepted it', () => {
  test('while the client waits: 207 names it, it is dead-lettered with its ids, the rest arrives in order', async () => {
    const bus = new LimitedBus(2000);
    const c = await startTestCollector(bus, { RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '100000' });
    try {
      const res = await c.post('/v1/events', JSON.stringify([output('a', 0), { ...output('a', 1, 'x'.repeat(5000)), event_id: 'huge-1' }, output('a', 2)]));
      assert.equal(res.status, 207);
      assert.equal(res.json.accepted, 2);
      assert.equal(res.json.rejected[0].index, 1);
      assert.match(res.json.rejected[0].error, /^Kafka refused the event as too large: \d+ bytes once encoded/);
      assert.equal(c.collector.spool.segments, 0, 'nothing spooled');
      assert.deepEqual(ns(await readTopic(bus, TOPICS.telemetry, 2)), ['0', '2']);
      const [dead] = (await readTopic(bus, TOPICS.deadletter, 1)).map((m) => decodeRecord('DeadLetter', m.value!));
      assert.equal(dead!.origin_topic, TOPICS.telemetry);
      assert.match(dead!.reason, /; event_id huge-1$/);
      assert.deepEqual(Object.keys(JSON.parse(dead!.payload.toString()) as object).sort(), ['agent_id', 'bytes', 'event_id', 'key', 'kind', 'session_id', 'tenant']);
      assert.equal((await c.post('/v1/events', JSON.stringify(output('a', 3)))).status, 202);
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      assert.match(metrics, /runwatch_collector_records_refused_total 1/);
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('from the spool: the drain dead-letters it and goes on, in order; later events are not held back', async () => {
    const bus = new LimitedBus(2000);
    bus.down = true;
    const c = await startTestCollector(bus, { RUNWATCH_COLLECTOR_MAX_EVENT_BYTES: '100000' });
    try {
      assert.equal((await c.post('/v1/events', JSON.stringify([output('a', 0), output('a', 1, 'x'.repeat(5000)), output('a', 2)]))).status, 202);
      assert.equal((await c.post('/v1/events', JSON.stringify(output('a', 3, 'y'.repeat(5000))))).status, 202);
      assert.equal((await c.post('/v1/events', JSON.stringify(output('a', 4)))).status, 202);
      assert.equal(c.collector.spool.segments, 3);
      bus.down = false;
      await waitFor(() => c.collector.spool.isEmpty, 10_000, 'the spool to drain');
      assert.equal((await c.post('/v1/events', JSON.stringify(output('a', 5)))).status, 202);
      assert.deepEqual(ns(await readTopic(bus, TOPICS.telemetry, 4)), ['0', '2', '4', '5']);
      const dead = (await readTopic(bus, TOPICS.deadletter, 2)).map((m) => decodeRecord('DeadLetter', m.value!));
      assert.equal(dead.length, 2);
      assert.ok(dead.every((d) => d.origin_topic === TOPICS.telemetry && d.payload.length < 1000));
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('when even the dead letter is refused, it is dropped and counted; nothing else is lost', async () => {
    const bus = new LimitedBus(1); // smaller than any telemetry record or dead letter
    const c = await startTestCollector(bus);
    try {
      const res = await c.post('/v1/events', JSON.stringify(output('a', 0)));
      assert.equal(res.status, 207);
      assert.equal(c.collector.spool.segments, 0);
      bus.limit = 100_000;
      assert.equal((await c.post('/v1/events', JSON.stringify(output('a', 1)))).status, 202);
      assert.deepEqual(ns(await readTopic(bus, TOPICS.telemetry, 1)), ['1']);
      const metrics = await (await fetch(`${c.url}/metrics`)).text();
      assert.match(metrics, /runwatch_collector_records_refused_total 1/);
      assert.match(metrics, /runwatch_collector_records_dropped_total 1/);
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('withRefused moves refused events from accepted to rejected, in index order', () => {
    const ctx = { receivedAt: Date.now(), tenant: null };
    const result = ingest([{ ok: true, raw: output('a', 0) }, { ok: true, raw: { kind: 'nope' } }, { ok: true, raw: output('a', 2) }], ctx);
    const moved = withRefused(result, [{ index: 0, error: 'refused' }]);
    assert.deepEqual(moved.acceptedIndexes, [2]);
    assert.deepEqual(moved.rejected.map((r) => r.index), [0, 1]);
    assert.equal(moved.records, result.records);
  });
});

describe('produce requests under Kafka’s message limit (request-size.ts)', () => {
  const record = (bytes: number): OutgoingRecord => ({ topic: TOPICS.telemetry, key: 'default:a', value: Buffer.alloc(bytes) });

  test('consecutive ranges within the budget, in order; a record over it alone', () => {
    const records = [record(400_000), record(400_000), record(400_000), record(2_000_000), record(10), record(10)];
    assert.deepEqual(requestRanges(records), [
      [0, 2],
      [2, 3],
      [3, 4],
      [4, 6],
    ]);
    assert.deepEqual(requestRanges([]), []);
    const small = Array.from({ length: 5000 }, () => record(500));
    const ranges = requestRanges(small);
    assert.equal(ranges[0]![0], 0);
    assert.equal(ranges.at(-1)![1], small.length);
    for (const [start, end] of ranges) {
      assert.ok(small.slice(start, end).reduce((n, r) => n + recordBytes(r), 0) <= REQUEST_BUDGET_BYTES);
    }
  });
});
