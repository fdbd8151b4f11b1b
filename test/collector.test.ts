// POST /v1/events exactly as DESIGN.md states it, on the embedded bus: answer codes, what
// reaches the telemetry and dead-letter topics, auth, limits, and the disk spool.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import { decodeEvent } from '../services/shared/avro/telemetry.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus, BusMessage } from '../services/shared/bus/types.js';
import { fingerprintSecret } from '../services/shared/events/key-fingerprint.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { decodeRecord } from '../services/shared/records.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector, type TestCollector } from './support/collector.js';
import { FlakyBus } from './support/flaky-bus.js';
import { readTopic } from './support/read-topic.js';

const toolCall = (agent: string, n: number) => ({
  kind: 'tool_call',
  agent_id: agent,
  session_id: 's1',
  tool_call: { name: 'search', arguments: { q: `query ${n}` } },
  attributes: { n: String(n) },
});

const events = (messages: BusMessage[]): TelemetryEvent[] =>
  messages.sort((a, b) => Number(a.offset) - Number(b.offset)).map((m) => decodeEvent(m.value!));

describe('POST /v1/events', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });
  async function collector(env: Record<string, string> = {}, bus: Bus = new MemoryBus({ partitions: 1 })): Promise<TestCollector & { bus: Bus }> {
    const c = await startTestCollector(bus, env);
    closers.push(async () => {
      await c.close();
      await bus.close();
    });
    return { ...c, bus };
  }

  test('one event: 202, and the enriched event on the telemetry topic, keyed tenant:agent_id', async () => {
    const c = await collector();
    const res = await c.post('/v1/events', JSON.stringify({ ...toolCall('bot-1', 1), ts: '2025-06-01T12:00:00Z' }));
    assert.equal(res.status, 202);
    assert.deepEqual(res.json, { accepted: 1 });
    const [msg] = await readTopic(c.bus, TOPICS.telemetry, 1);
    assert.equal(msg!.key!.toString(), 'default:bot-1');
    const e = decodeEvent(msg!.value!);
    assert.equal(e.kind, 'tool_call');
    assert.equal(e.ts, Date.parse('2025-06-01T12:00:00Z'));
    assert.deepEqual(e.tool_call?.arguments, { q: 'query 1' });
    assert.match(e.event_id, /^[0-9A-Z]{26}$/);
  });

  test('a JSON array with invalid events: 207 naming index and field; valid ones kept in order, invalid ones dead-lettered', async () => {
    const c = await collector();
    const body = [toolCall('a', 0), { kind: 'tool_call', tool_call: { arguments: {} } }, toolCall('a', 2), { kind: 'nope' }, toolCall('a', 4)];
    const res = await c.post('/v1/events', JSON.stringify(body));
    assert.equal(res.status, 207);
    assert.deepEqual(res.json, {
      accepted: 3,
      rejected: [
        { index: 1, error: 'tool_call.name: Required' },
        { index: 3, error: 'kind: must be one of prompt, output, retrieval, tool_call' },
      ],
    });
    assert.deepEqual(events(await readTopic(c.bus, TOPICS.telemetry, 3)).map((e) => e.attributes.n), ['0', '2', '4']);
    const dead = (await readTopic(c.bus, TOPICS.deadletter, 2)).map((m) => decodeRecord('DeadLetter', m.value!));
    assert.deepEqual(dead.map((d) => d.reason).sort(), ['kind: must be one of prompt, output, retrieval, tool_call', 'tool_call.name: Required']);
    assert.ok(dead.every((d) => d.stage === 'collector'));
    assert.deepEqual(JSON.parse(dead.find((d) => d.reason.startsWith('tool_call'))!.payload.toString()), body[1]);
  });

  test('NDJSON: one event per line; a line that is not JSON is that event rejected, with its line', async () => {
    const c = await collector();
    const body = [JSON.stringify(toolCall('a', 0)), '', '{not json', JSON.stringify(toolCall('a', 1))].join('\n');
    const res = await c.post('/v1/events', body, { 'content-type': 'application/x-ndjson' });
    assert.equal(res.status, 207);
    assert.equal(res.json.accepted, 2);
    assert.equal(res.json.rejected.length, 1);
    assert.equal(res.json.rejected[0].index, 1);
    assert.equal(res.json.rejected[0].line, 3);
    assert.match(res.json.rejected[0].error, /^line 3 is not JSON/);
  });

  test('400 for a body that is not JSON, not UTF-8, empty, or not an event', async () => {
    const c = await collector();
    for (const body of ['nope', '', '42', '"event"', 'null', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])]) {
      const res = await c.post('/v1/events', body);
      assert.equal(res.status, 400, `body ${String(body)}`);
      assert.equal(res.json.code, 'RW_ERR_BODY_INVALID');
      assert.ok(res.json.error.length > 10);
    }
  });

  test('413 over the size limit, and for a gzip body that inflates past it', async () => {
    const c = await collector({ RUNWATCH_COLLECTOR_BODY_LIMIT_BYTES: '4096' });
    const big = JSON.stringify({ kind: 'output', output: { text: 'x'.repeat(5000) } });
    assert.equal((await c.post('/v1/events', big)).status, 413);
    const bomb = gzipSync(Buffer.from(JSON.stringify({ kind: 'output', output: { text: ' '.repeat(3_000_000) } })));
    assert.ok(bomb.length < 4096);
    const res = await c.post('/v1/events', bomb, { 'content-encoding': 'gzip' });
    assert.equal(res.status, 413);
    const ok = await c.post('/v1/events', gzipSync(JSON.stringify(toolCall('z', 1))), { 'content-encoding': 'gzip' });
    assert.equal(ok.status, 202);
  });

  test('tokens: 401 without one or with a wrong one; the token binds the tenant; probes stay open', async () => {
    const token = 'acme-token-0123456789';
    const c = await collector({ RUNWATCH_COLLECTOR_TOKENS: `acme:${token}` });
    const body = JSON.stringify(toolCall('bot', 1));
    assert.equal((await c.post('/v1/events', body)).status, 401);
    assert.equal((await c.post('/v1/events', body, { authorization: 'Bearer wrong-token-000000000' })).status, 401);
    const ok = await c.post('/v1/events', body, { authorization: `Bearer ${token}` });
    assert.equal(ok.status, 202);
    const other = await c.post('/v1/events', JSON.stringify({ ...toolCall('bot', 2), tenant: 'globex' }), { authorization: `Bearer ${token}` });
    assert.equal(other.status, 207);
    const [msg] = await readTopic(c.bus, TOPICS.telemetry, 1);
    assert.equal(decodeEvent(msg!.value!).tenant, 'acme');
    assert.equal(msg!.key!.toString(), 'acme:bot');
    assert.equal((await fetch(`${c.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${c.url}/metrics`)).status, 200);
  });

  test('a raw secret sent as key_id is fingerprinted before it reaches any topic, dead letters included', async () => {
    const c = await collector();
    const secret = 'sk-proj-' + 'S3cr3tV4lu3'.repeat(4);
    await c.post('/v1/events', JSON.stringify([{ ...toolCall('a', 1), key_id: secret }, { kind: 'bad', key_id: secret }]));
    const all = [...(await readTopic(c.bus, TOPICS.telemetry, 1)), ...(await readTopic(c.bus, TOPICS.deadletter, 1))];
    for (const m of all) assert.ok(!m.value!.includes(secret), `secret found on ${m.topic}`);
    assert.equal(decodeEvent(all[0]!.value!).key_id, fingerprintSecret(secret, 'openai'));
  });

  test('strings with lone surrogates are stored as U+FFFD, exactly as validated', async () => {
    const c = await collector();
    const res = await c.post('/v1/events', '{"kind":"output","output":{"text":"a\\ud800b"}}');
    assert.equal(res.status, 202);
    const [msg] = await readTopic(c.bus, TOPICS.telemetry, 1);
    assert.equal(decodeEvent(msg!.value!).output?.text, 'a\ufffdb');
  });

  test('/metrics counts accepted and rejected events', async () => {
    const c = await collector();
    await c.post('/v1/events', JSON.stringify([toolCall('a', 1), { kind: 'x' }]));
    const metrics = await (await fetch(`${c.url}/metrics`)).text();
    assert.match(metrics, /runwatch_collector_events_accepted_total\{kind="tool_call"\} 1/);
    assert.match(metrics, /runwatch_collector_events_rejected_total 1/);
    assert.match(metrics, /runwatch_collector_produce_seconds_count 1/);
  });
});

describe('the disk spool while the bus is down', () => {
  test('accepted events are spooled, then drained in order when the bus returns', async () => {
    const bus = new FlakyBus({ partitions: 1 });
    const c = await startTestCollector(bus);
    try {
      assert.equal((await c.post('/v1/events', JSON.stringify(toolCall('a', 0)))).status, 202);
      bus.down = true;
      for (let i = 1; i <= 5; i++) assert.equal((await c.post('/v1/events', JSON.stringify(toolCall('a', i)))).status, 202);
      const health = (await (await fetch(`${c.url}/healthz`)).json()) as { publishing: string; spool: { segments: number } };
      assert.equal(health.publishing, 'spooling');
      assert.equal(health.spool.segments, 5);
      bus.down = false;
      // Accepted after recovery, while the spool may still be draining: must queue behind it.
      assert.equal((await c.post('/v1/events', JSON.stringify(toolCall('a', 6)))).status, 202);
      await waitFor(() => c.collector.spool.isEmpty, 10_000, 'the spool to drain');
      const got = events(await readTopic(bus, TOPICS.telemetry, 7));
      assert.deepEqual(got.map((e) => e.attributes.n), ['0', '1', '2', '3', '4', '5', '6']);
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('a broker that does not answer: the request still completes within the produce timeout', async () => {
    const bus = new FlakyBus({ partitions: 1 });
    bus.hangMs = 5000;
    const c = await startTestCollector(bus, { RUNWATCH_PRODUCE_TIMEOUT_MS: '200' });
    try {
      const started = Date.now();
      assert.equal((await c.post('/v1/events', JSON.stringify(toolCall('a', 1)))).status, 202);
      assert.ok(Date.now() - started < 3000);
      assert.equal(c.collector.spool.segments, 1);
    } finally {
      bus.hangMs = 0;
      await c.close();
      await bus.close();
    }
  });

  test('503 with Retry-After only when the spool is full; nothing of that request is accepted', async () => {
    const bus = new FlakyBus({ partitions: 1 });
    bus.down = true;
    const c = await startTestCollector(bus, { RUNWATCH_SPOOL_MAX_BYTES: '3000' });
    try {
      const statuses: number[] = [];
      let last;
      for (let i = 0; i < 20; i++) {
        last = await c.post('/v1/events', JSON.stringify(toolCall('a', i)));
        statuses.push(last.status);
        if (last.status === 503) break;
      }
      assert.equal(statuses.at(-1), 503, `statuses: ${statuses.join(',')}`);
      assert.ok(statuses.slice(0, -1).every((s) => s === 202));
      assert.equal(last!.headers.get('retry-after'), '5');
      assert.equal(last!.json.code, 'RW_ERR_SPOOL_FULL');
      bus.down = false;
      await waitFor(() => c.collector.spool.isEmpty, 10_000, 'the spool to drain');
      assert.equal((await readTopic(bus, TOPICS.telemetry, statuses.length - 1)).length, statuses.length - 1);
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('a collector restarted with a full spool drains what the previous run accepted', async () => {
    const bus = new FlakyBus({ partitions: 1 });
    bus.down = true;
    const first = await startTestCollector(bus);
    for (let i = 0; i < 3; i++) assert.equal((await first.post('/v1/events', JSON.stringify(toolCall('a', i)))).status, 202);
    await first.close();
    bus.down = false;
    const second = await startTestCollector(bus, { RUNWATCH_DATA_DIR: first.config.data_dir });
    try {
      await waitFor(() => second.collector.spool.isEmpty, 10_000, 'the spool to drain');
      assert.deepEqual(events(await readTopic(bus, TOPICS.telemetry, 3)).map((e) => e.attributes.n), ['0', '1', '2']);
    } finally {
      await second.close();
      await bus.close();
    }
  });
});
