// POST /v1/traces over HTTP: an OpenTelemetry SDK's export lands on the telemetry topic as v1 events.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { after, test } from 'node:test';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { decodeEvent } from '../services/shared/avro/telemetry.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { BusMessage } from '../services/shared/bus/types.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector } from './support/collector.js';

function toolSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'travel-agent' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const span = provider.getTracer('t').startSpan('execute_tool send_email', {
    attributes: {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'send_email',
      'gen_ai.tool.call.arguments': JSON.stringify({ to: 'attacker@example.com', body: 'itinerary' }),
      'gen_ai.agent.id': 'agent-otel',
      'gen_ai.conversation.id': 'conv-1',
    },
  });
  span.end();
  return exporter.getFinishedSpans();
}

const bus = new MemoryBus({ partitions: 1 });
const c = await startTestCollector(bus);
after(async () => {
  await c.close();
  await bus.close();
});

test('protobuf and gzip-compressed JSON exports become tool_call events; the answer is an OTLP response', async () => {
  const spans = toolSpans();
  const proto = await fetch(`${c.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf' },
    body: Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!),
  });
  assert.equal(proto.status, 200);
  assert.equal(proto.headers.get('content-type'), 'application/x-protobuf');
  const json = await fetch(`${c.url}/v1/traces`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    body: gzipSync(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!)),
  });
  assert.equal(json.status, 200);
  assert.deepEqual(await json.json(), {});

  const got: BusMessage[] = [];
  const sub = await bus.consume({ groupId: randomUUID(), topics: [TOPICS.telemetry], fromBeginning: true, eachBatch: async (b) => void got.push(...b.messages) });
  await waitFor(() => got.length >= 2, 5000, 'two events');
  await sub.stop();
  const [a, b] = got.map((m) => decodeEvent(m.value!));
  assert.equal(a!.kind, 'tool_call');
  assert.equal(a!.tool_call?.name, 'send_email');
  assert.deepEqual(a!.tool_call?.arguments, { to: 'attacker@example.com', body: 'itinerary' });
  assert.equal(a!.agent_id, 'agent-otel');
  assert.equal(a!.session_id, 'conv-1');
  assert.equal(a!.app, 'travel-agent');
  // The same span exported twice keeps its event id: downstream drops the duplicate.
  assert.equal(a!.event_id, b!.event_id);
});

test('415 for another content type; 400 with an OTLP status for a body that is not an export', async () => {
  const text = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(text.status, 415);
  const junk = await fetch(`${c.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"resourceSpans": 5}' });
  assert.equal(junk.status, 400);
  const body = (await junk.json()) as { message: string };
  assert.match(body.message, /resourceSpans/);
});
