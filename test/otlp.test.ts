/**
 * OTLP/HTTP traces in: payloads are made the way an app's OpenTelemetry SDK makes them
 * (real spans from a BasicTracerProvider, serialized by @opentelemetry/otlp-transformer in
 * both encodings), then decoded, mapped to v1 events and validated with parseEvent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { BodyInvalidError } from '../services/shared/errors.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import {
  countSpans,
  decodeTraceRequest,
  encodeTraceError,
  encodeTraceResponse,
  ingestTraceRequest,
  otlpEncodingOf,
  spansToEvents,
  type RawEvent,
} from '../services/collector/otlp/index.js';
import { ExportTraceServiceResponse, RpcStatus } from '../services/collector/otlp/proto.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_CT = 'application/json';
const T0 = 1_700_000_000_000;

// ---------------------------------------------------------------------------------------
// Fixtures: an agent run as an instrumented app would record it.

interface Recorded {
  spans: ReadableSpan[];
  ids: Record<string, { traceId: string; spanId: string }>;
}

function record(build: (tracer: ReturnType<BasicTracerProvider['getTracer']>, ids: Recorded['ids']) => void): Recorded {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': 'support-bot',
      'deployment.environment.name': 'prod',
      'service.instance.id': 'instance-9',
      'runwatch.tenant': 'acme',
    }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const ids: Recorded['ids'] = {};
  build(provider.getTracer('genai-instrumentation', '1.2.3'), ids);
  return { spans: exporter.getFinishedSpans(), ids };
}

function remember(ids: Recorded['ids'], name: string, span: Span): void {
  const { traceId, spanId } = span.spanContext();
  ids[name] = { traceId, spanId };
}

const at = (offsetMs: number) => new Date(T0 + offsetMs);

function agentRun(): Recorded {
  return record((tracer, ids) => {
    const agent = tracer.startSpan('invoke_agent Support', {
      startTime: at(0),
      attributes: {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.provider.name': 'openai',
        'gen_ai.agent.id': 'agent-7',
        'gen_ai.agent.name': 'Support',
        'gen_ai.conversation.id': 'conv-42',
        'user.id': 'user-1',
        'runwatch.key_id': 'key-abc',
      },
    });
    remember(ids, 'agent', agent);
    const inAgent = trace.setSpan(context.active(), agent);

    const chat = tracer.startSpan(
      'chat gpt-4o',
      {
        startTime: at(10),
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.request.temperature': 0.2,
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.usage.input_tokens': 120,
          'gen_ai.usage.output_tokens': 35,
          // The JS SDK has no structured attributes: the conventions say to send JSON text then.
          'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'You are a support agent.' }]),
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: 'Where is my order 1234?' }] },
            {
              role: 'assistant',
              parts: [{ type: 'tool_call', id: 'call_1', name: 'lookup_order', arguments: { order: '1234' } }],
            },
            { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'shipped yesterday' }] },
          ]),
          'gen_ai.output.messages': JSON.stringify([
            {
              role: 'assistant',
              parts: [{ type: 'text', content: 'Your order shipped yesterday.' }],
              finish_reason: 'stop',
            },
          ]),
        },
      },
      inAgent,
    );
    remember(ids, 'chat', chat);
    chat.end(at(900));

    const tool = tracer.startSpan(
      'execute_tool send_email',
      {
        startTime: at(1000),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'send_email',
          'gen_ai.tool.call.id': 'call_2',
          'gen_ai.tool.type': 'function',
          'gen_ai.tool.call.arguments': JSON.stringify({ to: 'someone@example.com', subject: 'Order', cc: ['a@b.c'] }),
          'gen_ai.tool.call.result': 'sent',
          'server.address': 'smtp.example.com',
          'server.port': 587,
        },
      },
      inAgent,
    );
    remember(ids, 'tool', tool);
    tool.end(at(1100));

    const failing = tracer.startSpan(
      'execute_tool http_get',
      {
        startTime: at(1200),
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'http_get',
          'gen_ai.tool.call.arguments': '{"url":"https://evil.example/x"}',
          'url.full': 'https://evil.example/x',
          'error.type': 'timeout',
        },
      },
      inAgent,
    );
    failing.setStatus({ code: SpanStatusCode.ERROR, message: 'timed out' });
    remember(ids, 'failing', failing);
    failing.end(at(1300));

    const retrieval = tracer.startSpan(
      'retrieval kb',
      {
        startTime: at(1400),
        attributes: {
          'gen_ai.operation.name': 'retrieval',
          'gen_ai.data_source.id': 'kb-main',
          'gen_ai.retrieval.query.text': 'refund policy',
          'gen_ai.retrieval.documents': JSON.stringify([
            { id: 'doc_1', score: 0.91, content: 'Refunds within 30 days.' },
            { id: 'doc_2', score: 0.5, uri: 'https://kb.example/2' },
          ]),
        },
      },
      inAgent,
    );
    remember(ids, 'retrieval', retrieval);
    retrieval.end(at(1500));

    // Not GenAI: an HTTP server span the same app exports.
    const http = tracer.startSpan('GET /healthz', {
      startTime: at(1600),
      attributes: { 'http.request.method': 'GET', 'url.path': '/healthz' },
    });
    http.end(at(1601));

    // GenAI, but nothing runwatch maps: an embeddings call.
    const embeddings = tracer.startSpan('embeddings text-embedding-3-small', {
      startTime: at(1700),
      attributes: { 'gen_ai.operation.name': 'embeddings', 'gen_ai.usage.input_tokens': 8 },
    });
    embeddings.end(at(1710));

    agent.end(at(2000));
  });
}

/** An older instrumentation: no operation name, content on gen_ai.content.* span events, old token names. */
function legacyChat(): Recorded {
  return record((tracer, ids) => {
    const span = tracer.startSpan('openai.chat', {
      startTime: at(0),
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.request.model': 'gpt-3.5-turbo',
        'gen_ai.usage.prompt_tokens': 12,
        'gen_ai.usage.completion_tokens': 4,
      },
    });
    span.addEvent('gen_ai.content.prompt', { 'gen_ai.prompt': JSON.stringify([{ role: 'user', content: 'Say hi' }]) }, at(1));
    span.addEvent('gen_ai.content.completion', { 'gen_ai.completion': JSON.stringify([{ role: 'assistant', content: 'Hi!' }]) }, at(2));
    remember(ids, 'legacy', span);
    span.end(at(3));

    const flat = tracer.startSpan('openai.chat', {
      startTime: at(10),
      attributes: {
        'gen_ai.system': 'openai',
        'gen_ai.prompt.0.role': 'system',
        'gen_ai.prompt.0.content': 'Be brief.',
        'gen_ai.prompt.1.role': 'user',
        'gen_ai.prompt.1.content': 'Capital of France?',
        'gen_ai.completion.0.role': 'assistant',
        'gen_ai.completion.0.content': 'Paris.',
        'gen_ai.completion.0.finish_reason': 'stop',
      },
    });
    remember(ids, 'flat', flat);
    flat.end(at(11));
  });
}

/**
 * Structured attribute values (AnyValue kvlist / array / bytes), as the conventions prefer:
 * the JS SDK API refuses them, but its OTLP serializers write them, so set them on the
 * finished span the way a language with structured attributes would have.
 */
function structuredToolCall(): Recorded {
  const recorded = record((tracer, ids) => {
    const span = tracer.startSpan('execute_tool transfer', {
      startTime: at(0),
      attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'transfer', 'gen_ai.agent.id': 'agent-s' },
    });
    remember(ids, 'tool', span);
    span.end(at(5));
  });
  const attributes = recorded.spans[0]?.attributes as Record<string, unknown>;
  attributes['gen_ai.tool.call.arguments'] = {
    amount: 250,
    ratio: 0.5,
    confirm: true,
    accounts: ['a-1', 'a-2'],
    memo: { text: 'rent', tags: ['home'] },
    signature: new Uint8Array([1, 2, 3, 250]),
  };
  attributes['gen_ai.tool.call.result'] = { ok: true, id: 'tx-9' };
  attributes['gen_ai.input.messages'] = [{ role: 'user', parts: [{ type: 'text', content: 'pay rent' }] }];
  return recorded;
}

const protobufOf = (spans: ReadableSpan[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans) ?? new Uint8Array());
const jsonOf = (spans: ReadableSpan[]) => Buffer.from(JsonTraceSerializer.serializeRequest(spans) ?? new Uint8Array());

function validated(raw: RawEvent): TelemetryEvent {
  const parsed = parseEvent(raw, { receivedAt: Date.now(), tenant: null });
  assert.ok(parsed.ok, `event ${raw.event_id} rejected: ${parsed.ok ? '' : parsed.error}`);
  return parsed.event;
}

function eventsOf(body: Buffer, contentType: string): TelemetryEvent[] {
  return spansToEvents(decodeTraceRequest(body, contentType)).events.map(validated);
}

function only<T>(items: T[], predicate: (item: T) => boolean, what: string): T {
  const found = items.filter(predicate);
  assert.equal(found.length, 1, `expected exactly one ${what}, found ${found.length}`);
  return found[0] as T;
}

// ---------------------------------------------------------------------------------------
// Decoding

test('decodes an SDK protobuf export into the plain shape: hex ids, ms times, attributes', () => {
  const { spans, ids } = agentRun();
  const request = decodeTraceRequest(protobufOf(spans), PROTOBUF);
  assert.equal(countSpans(request), 7);
  const rs = request.resourceSpans[0];
  assert.equal(rs?.resource['service.name'], 'support-bot');
  assert.deepEqual(rs?.scopeSpans[0]?.scope, { name: 'genai-instrumentation', version: '1.2.3' });
  const all = request.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
  const chat = only(all, (s) => s.spanId === ids.chat?.spanId, 'chat span');
  assert.equal(chat.traceId, ids.chat?.traceId);
  assert.match(chat.traceId, /^[0-9a-f]{32}$/);
  assert.equal(chat.parentSpanId, ids.agent?.spanId);
  assert.equal(chat.startTimeMs, T0 + 10);
  assert.equal(chat.endTimeMs, T0 + 900);
  assert.equal(chat.kind, 1);
  assert.equal(chat.attributes['gen_ai.usage.input_tokens'], 120);
  assert.equal(chat.attributes['gen_ai.request.temperature'], 0.2);
  assert.deepEqual(chat.attributes['gen_ai.response.finish_reasons'], ['stop']);
  const failing = only(all, (s) => s.spanId === ids.failing?.spanId, 'failing span');
  assert.deepEqual(failing.status, { code: 'error', message: 'timed out' });
});

test('protobuf and JSON encodings of the same spans decode to the same request', () => {
  for (const recorded of [agentRun(), legacyChat(), structuredToolCall()]) {
    assert.deepStrictEqual(
      decodeTraceRequest(protobufOf(recorded.spans), PROTOBUF),
      decodeTraceRequest(jsonOf(recorded.spans), JSON_CT),
    );
  }
});

test('content types: parameters ignored, application/protobuf accepted, others refused', () => {
  assert.equal(otlpEncodingOf('application/x-protobuf'), 'protobuf');
  assert.equal(otlpEncodingOf('application/protobuf'), 'protobuf');
  assert.equal(otlpEncodingOf('Application/JSON; charset=utf-8'), 'json');
  assert.equal(otlpEncodingOf('text/plain'), null);
  assert.equal(otlpEncodingOf(undefined), null);
  const { spans } = agentRun();
  assert.equal(countSpans(decodeTraceRequest(jsonOf(spans), 'application/json; charset=utf-8')), 7);
  assert.throws(() => decodeTraceRequest(jsonOf(spans), 'text/plain'), BodyInvalidError);
});

test('an empty export is valid in both encodings', () => {
  assert.deepEqual(decodeTraceRequest(Buffer.alloc(0), PROTOBUF), { resourceSpans: [] });
  assert.deepEqual(decodeTraceRequest(Buffer.from('{}'), JSON_CT), { resourceSpans: [] });
  assert.deepEqual(decodeTraceRequest(Buffer.from('{"resourceSpans":[]}'), JSON_CT), { resourceSpans: [] });
});

// ---------------------------------------------------------------------------------------
// Mapping

test('an agent run maps to prompt, output, tool_call and retrieval events that pass parseEvent', () => {
  const { spans, ids } = agentRun();
  const mapping = spansToEvents(decodeTraceRequest(protobufOf(spans), PROTOBUF));
  assert.equal(mapping.spans, 7);
  // invoke_agent without content, the HTTP span and the embeddings span yield nothing.
  assert.equal(mapping.ignoredSpans, 3);
  const events = mapping.events.map(validated);
  assert.deepEqual(events.map((e) => e.kind).sort(), ['output', 'prompt', 'retrieval', 'tool_call', 'tool_call']);

  for (const e of events) {
    assert.equal(e.tenant, 'acme');
    assert.equal(e.app, 'support-bot');
    assert.equal(e.env, 'prod');
    // Inherited from the invoke_agent parent span.
    assert.equal(e.agent_id, 'agent-7');
    assert.equal(e.session_id, 'conv-42');
    assert.equal(e.trace_id, ids.agent?.traceId);
    assert.equal(e.parent_span_id, ids.agent?.spanId);
    assert.match(e.event_id, /^[\x21-\x7e]{1,128}$/);
  }

  const prompt = only(events, (e) => e.kind === 'prompt', 'prompt');
  assert.equal(prompt.span_id, ids.chat?.spanId);
  assert.equal(prompt.ts, T0 + 10);
  assert.equal(prompt.model, 'gpt-4o-2024-08-06');
  assert.equal(prompt.provider, 'openai');
  assert.deepEqual(prompt.prompt?.messages, [
    { role: 'system', content: 'You are a support agent.' },
    { role: 'user', content: 'Where is my order 1234?' },
    { role: 'assistant', content: 'tool_call lookup_order({"order":"1234"})' },
    { role: 'tool', content: 'shipped yesterday' },
  ]);
  assert.equal(prompt.attributes['gen_ai.request.temperature'], '0.2');
  assert.equal(prompt.attributes['otel.span.name'], 'chat gpt-4o');
  assert.equal(prompt.attributes['gen_ai.input.messages'], undefined, 'content is the payload, not an attribute');

  const output = only(events, (e) => e.kind === 'output', 'output');
  assert.equal(output.span_id, ids.chat?.spanId);
  assert.equal(output.ts, T0 + 900, 'output is stamped at span end');
  assert.deepEqual(output.output, {
    text: 'Your order shipped yesterday.',
    finish_reason: 'stop',
    usage: { input_tokens: 120, output_tokens: 35 },
  });

  const tool = only(events, (e) => e.span_id === ids.tool?.spanId, 'send_email tool call');
  assert.equal(tool.ts, T0 + 1000);
  assert.equal(tool.model, null);
  assert.deepEqual(tool.tool_call, {
    name: 'send_email',
    call_id: 'call_2',
    arguments: { to: 'someone@example.com', subject: 'Order', cc: ['a@b.c'] },
    result: 'sent',
    status: 'ok',
    target: 'smtp.example.com:587',
  });

  const failing = only(events, (e) => e.span_id === ids.failing?.spanId, 'failing tool call');
  assert.equal(failing.tool_call?.status, 'error');
  assert.equal(failing.tool_call?.target, 'https://evil.example/x');
  assert.deepEqual(failing.tool_call?.arguments, { url: 'https://evil.example/x' });
  assert.equal(failing.tool_call?.result, null);
  assert.equal(failing.attributes['error.type'], 'timeout');

  const retrieval = only(events, (e) => e.kind === 'retrieval', 'retrieval');
  assert.deepEqual(retrieval.retrieval, {
    query: 'refund policy',
    documents: [
      { id: 'doc_1', source: 'kb-main', uri: null, score: 0.91, content: 'Refunds within 30 days.' },
      { id: 'doc_2', source: 'kb-main', uri: 'https://kb.example/2', score: 0.5, content: '' },
    ],
  });
});

test('user and key ids come from the span (or resource) attributes', () => {
  const { spans } = record((tracer) => {
    const span = tracer.startSpan('chat m', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
        'enduser.id': 'end-user-5',
        'runwatch.key_id': 'key-77',
      },
    });
    span.end();
  });
  const [event] = eventsOf(protobufOf(spans), PROTOBUF);
  assert.equal(event?.user_id, 'end-user-5');
  assert.equal(event?.key_id, 'key-77');
  assert.equal(event?.agent_id, 'instance-9', 'no gen_ai.agent.id anywhere: falls back to service.instance.id');
});

test('protobuf and JSON of the same spans give identical events', () => {
  for (const recorded of [agentRun(), legacyChat(), structuredToolCall()]) {
    const fromProtobuf = spansToEvents(decodeTraceRequest(protobufOf(recorded.spans), PROTOBUF));
    const fromJson = spansToEvents(decodeTraceRequest(jsonOf(recorded.spans), JSON_CT));
    assert.deepStrictEqual(fromProtobuf, fromJson);
    assert.ok(fromProtobuf.events.length > 0);
  }
});

test('event ids are deterministic, so a retried export is deduplicated downstream', () => {
  const { spans } = agentRun();
  const first = spansToEvents(decodeTraceRequest(protobufOf(spans), PROTOBUF)).events.map((e) => e.event_id);
  const retry = spansToEvents(decodeTraceRequest(jsonOf(spans), JSON_CT)).events.map((e) => e.event_id);
  assert.deepEqual(first, retry);
  assert.equal(new Set(first).size, first.length, 'one id per event');
});

test('structured attribute values (kvlist, arrays, bytes) map to plain JSON', () => {
  const { spans, ids } = structuredToolCall();
  const events = eventsOf(protobufOf(spans), PROTOBUF);
  const tool = only(events, (e) => e.kind === 'tool_call', 'tool call');
  assert.equal(tool.span_id, ids.tool?.spanId);
  assert.equal(tool.agent_id, 'agent-s');
  assert.deepEqual(tool.tool_call?.arguments, {
    amount: 250,
    ratio: 0.5,
    confirm: true,
    accounts: ['a-1', 'a-2'],
    memo: { text: 'rent', tags: ['home'] },
    signature: Buffer.from([1, 2, 3, 250]).toString('base64'),
  });
  assert.equal(tool.tool_call?.result, '{"ok":true,"id":"tx-9"}');
  // execute_tool spans are tool calls: their input messages are not a prompt.
  assert.equal(events.length, 1);
});

test('older conventions: gen_ai.content.* span events, flattened gen_ai.prompt.N.*, old token names', () => {
  const { spans, ids } = legacyChat();
  const events = eventsOf(jsonOf(spans), JSON_CT);
  const prompt = only(events, (e) => e.kind === 'prompt' && e.span_id === ids.legacy?.spanId, 'legacy prompt');
  assert.deepEqual(prompt.prompt?.messages, [{ role: 'user', content: 'Say hi' }]);
  assert.equal(prompt.provider, 'openai', 'gen_ai.system is the older gen_ai.provider.name');
  assert.equal(prompt.model, 'gpt-3.5-turbo');
  const output = only(events, (e) => e.kind === 'output' && e.span_id === ids.legacy?.spanId, 'legacy output');
  assert.deepEqual(output.output, { text: 'Hi!', finish_reason: null, usage: { input_tokens: 12, output_tokens: 4 } });

  const flatPrompt = only(events, (e) => e.kind === 'prompt' && e.span_id === ids.flat?.spanId, 'flattened prompt');
  assert.deepEqual(flatPrompt.prompt?.messages, [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Capital of France?' },
  ]);
  assert.equal(flatPrompt.attributes['gen_ai.prompt.1.content'], undefined);
  const flatOutput = only(events, (e) => e.kind === 'output' && e.span_id === ids.flat?.spanId, 'flattened output');
  assert.deepEqual(flatOutput.output, { text: 'Paris.', finish_reason: 'stop', usage: null });
});

test('non-GenAI spans are ignored and counted', () => {
  const { spans } = record((tracer) => {
    for (let i = 0; i < 3; i++) tracer.startSpan(`SELECT ${i}`, { attributes: { 'db.system.name': 'postgresql' } }).end();
  });
  const mapping = spansToEvents(decodeTraceRequest(protobufOf(spans), PROTOBUF));
  assert.deepEqual(mapping, { events: [], eventSpans: [], spans: 3, ignoredSpans: 3 });
});

test('tool arguments that are not a JSON object are kept raw; too many attributes are bounded', () => {
  const many: Attributes = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'shell', 'gen_ai.tool.call.arguments': 'rm -rf /' };
  for (let i = 0; i < 200; i++) many[`gen_ai.custom.${i}`] = 'x'.repeat(5000);
  const { spans } = record((tracer) => tracer.startSpan('execute_tool shell', { attributes: many }).end());
  const [event] = eventsOf(protobufOf(spans), PROTOBUF);
  assert.deepEqual(event?.tool_call?.arguments, { _raw: 'rm -rf /' });
  assert.ok(Object.keys(event?.attributes ?? {}).length <= 64);
  assert.ok(Object.values(event?.attributes ?? {}).every((v) => v.length <= 1024));
});

// ---------------------------------------------------------------------------------------
// Junk in: always BodyInvalidError, never a crash.

function seededBytes(seed: number, length: number): Buffer {
  // mulberry32: fixed seeds keep the "random" junk the same on every run.
  let a = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
  }
  return out;
}

test('random bytes as protobuf are refused with BodyInvalidError', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const body = seededBytes(seed, 16 + seed * 37);
    assert.throws(() => decodeTraceRequest(body, PROTOBUF), BodyInvalidError, `seed ${seed}`);
  }
  assert.throws(() => decodeTraceRequest(seededBytes(7, 64), JSON_CT), BodyInvalidError);
});

test('truncated protobuf is refused with BodyInvalidError', () => {
  const body = protobufOf(agentRun().spans);
  for (const cut of [1, 2, 10, Math.floor(body.length / 2), body.length - 1]) {
    assert.throws(() => decodeTraceRequest(body.subarray(0, cut), PROTOBUF), BodyInvalidError, `cut at ${cut}`);
  }
});

test('JSON of the wrong shape is refused with a message naming the field', () => {
  const span = (fields: Record<string, unknown>) =>
    JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), ...fields }] }] }] });
  const cases: Array<[string, RegExp]> = [
    ['not json', /not JSON/],
    ['[1,2,3]', /expected an object/],
    ['"resourceSpans"', /expected an object/],
    ['null', /expected an object/],
    ['{"kind":"prompt","prompt":{"messages":[]}}', /no resourceSpans.*\/v1\/events/],
    ['{"resourceSpans":{}}', /resourceSpans: expected an array/],
    ['{"resourceSpans":[{"scopeSpans":[{"spans":[7]}]}]}', /spans\[0\]: expected an object/],
    [span({ traceId: 5 }), /traceId: expected a string of 32 hex digits/],
    [span({ traceId: 'xyz' }), /traceId: expected 32 hex digits/],
    [span({ spanId: '' }), /spanId: required/],
    [span({ startTimeUnixNano: 'yesterday' }), /startTimeUnixNano: expected a non-negative integer/],
    [span({ attributes: [{ key: 'a', value: { intValue: 'many' } }] }), /attributes\[0\]\.value\.intValue/],
    [span({ attributes: [{ key: 'a', value: { boolValue: 'yes' } }] }), /boolValue/],
    [span({ attributes: [{ key: 'a', value: { bytesValue: '%%%' } }] }), /bytesValue: expected base64/],
    [span({ status: { code: 'BROKEN' } }), /status\.code/],
  ];
  for (const [body, message] of cases) {
    assert.throws(
      () => decodeTraceRequest(Buffer.from(body), JSON_CT),
      (err: unknown) => err instanceof BodyInvalidError && message.test(err.message),
      `${body.slice(0, 80)} → ${String(message)}`,
    );
  }
});

test('deeply nested input is refused or skipped, never a stack overflow', () => {
  // A kvlist nested 10,000 deep inside an attribute value.
  let value = '{"stringValue":"bottom"}';
  for (let i = 0; i < 10_000; i++) value = `{"kvlistValue":{"values":[{"key":"k","value":${value}}]}}`;
  const deep = `{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"${'ab'.repeat(16)}","spanId":"${'cd'.repeat(8)}","attributes":[{"key":"gen_ai.tool.call.arguments","value":${value}}]}]}]}]}`;
  assert.throws(() => decodeTraceRequest(Buffer.from(deep), JSON_CT), (err: unknown) => err instanceof BodyInvalidError && /nested deeper/.test(err.message));

  // A million-deep array where a request object belongs.
  const brackets = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
  assert.throws(() => decodeTraceRequest(Buffer.from(brackets), JSON_CT), BodyInvalidError);

  // Deep junk in a field OTLP does not define is ignored, as unknown fields must be.
  const ignored = `{"resourceSpans":[],"extra":${brackets}}`;
  assert.deepEqual(decodeTraceRequest(Buffer.from(ignored), JSON_CT), { resourceSpans: [] });

  // The same depth in protobuf: protobufjs' recursion limit, wrapped.
  const { spans } = record((tracer) => tracer.startSpan('execute_tool x', { attributes: { 'gen_ai.operation.name': 'execute_tool' } }).end());
  let nested: Record<string, unknown> = { leaf: 'bottom' };
  for (let i = 0; i < 200; i++) nested = { k: nested };
  (spans[0]?.attributes as Record<string, unknown>)['gen_ai.tool.call.arguments'] = nested;
  assert.throws(() => decodeTraceRequest(protobufOf(spans), PROTOBUF), BodyInvalidError);
  assert.throws(() => decodeTraceRequest(jsonOf(spans), JSON_CT), BodyInvalidError);
});

test('deeply nested JSON inside a string attribute does not break the mapper', () => {
  const deepText = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
  const { spans } = record((tracer) =>
    tracer
      .startSpan('execute_tool x', {
        attributes: {
          'gen_ai.operation.name': 'execute_tool',
          'gen_ai.tool.name': 'x',
          'gen_ai.tool.call.arguments': deepText,
          'gen_ai.tool.call.result': deepText,
        },
      })
      .end(),
  );
  const [event] = eventsOf(protobufOf(spans), PROTOBUF);
  assert.deepEqual(event?.tool_call?.arguments, { _raw: deepText });
  assert.equal(event?.tool_call?.result, deepText);
});

test('a large export (5,000 spans) decodes and maps', () => {
  const { spans } = record((tracer) => {
    for (let i = 0; i < 5000; i++) {
      tracer
        .startSpan(`execute_tool t${i}`, {
          attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': `t${i}`, 'gen_ai.tool.call.arguments': `{"i":${i}}` },
        })
        .end();
    }
  });
  for (const [body, contentType] of [[protobufOf(spans), PROTOBUF], [jsonOf(spans), JSON_CT]] as const) {
    const mapping = spansToEvents(decodeTraceRequest(body, contentType));
    assert.equal(mapping.events.length, 5000);
    assert.equal(mapping.ignoredSpans, 0);
  }
});

// ---------------------------------------------------------------------------------------
// Responses and the end-to-end helper

test('response encoder: empty message on success, partialSuccess when spans were rejected', () => {
  const ok = encodeTraceResponse('protobuf');
  assert.equal(ok.contentType, 'application/x-protobuf');
  assert.equal(ok.body.length, 0);
  assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(ok.body), {});

  const partial = encodeTraceResponse('protobuf', { rejectedSpans: 2, errorMessage: 'tool_call.name: Required' });
  // Read back by the SDK's own response parser, and by our schema.
  assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(partial.body), {
    partialSuccess: { rejectedSpans: 2, errorMessage: 'tool_call.name: Required' },
  });
  assert.deepEqual(
    ExportTraceServiceResponse.toObject(ExportTraceServiceResponse.decode(partial.body), { longs: Number }),
    { partialSuccess: { rejectedSpans: 2, errorMessage: 'tool_call.name: Required' } },
  );

  const okJson = encodeTraceResponse('json', null);
  assert.equal(okJson.contentType, 'application/json');
  assert.equal(okJson.body.toString(), '{}');
  const partialJson = encodeTraceResponse('json', { rejectedSpans: 1, errorMessage: 'bad' });
  assert.deepEqual(JSON.parse(partialJson.body.toString()), { partialSuccess: { rejectedSpans: '1', errorMessage: 'bad' } });
  assert.deepEqual(JsonTraceSerializer.deserializeResponse(partialJson.body), { partialSuccess: { rejectedSpans: '1', errorMessage: 'bad' } });

  const warning = encodeTraceResponse('json', { rejectedSpans: 0, errorMessage: 'heads up' });
  assert.deepEqual(JSON.parse(warning.body.toString()), { partialSuccess: { errorMessage: 'heads up' } });
});

test('error encoder: google.rpc.Status in the request encoding', () => {
  const pb = encodeTraceError('protobuf', 'body is not JSON');
  assert.deepEqual(RpcStatus.toObject(RpcStatus.decode(pb.body)), { code: 3, message: 'body is not JSON' });
  const json = encodeTraceError('json', 'nope');
  assert.deepEqual(JSON.parse(json.body.toString()), { code: 3, message: 'nope' });
});

test('ingestTraceRequest: validates every event and reports rejected spans as partial success', () => {
  const { spans, ids } = record((tracer, ids) => {
    const good = tracer.startSpan('execute_tool ok', { attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'ok' } });
    remember(ids, 'good', good);
    good.end();
    // A tenant runwatch cannot accept: the event is mapped, then refused by parseEvent.
    const bad = tracer.startSpan('chat m', {
      attributes: {
        'gen_ai.operation.name': 'chat',
        'runwatch.tenant': 'not a tenant!',
        'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
        'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"yo"}]}]',
      },
    });
    remember(ids, 'bad', bad);
    bad.end();
    tracer.startSpan('GET /').end();
  });
  const result = ingestTraceRequest(protobufOf(spans), PROTOBUF, { receivedAt: T0, tenant: null });
  assert.equal(result.encoding, 'protobuf');
  assert.equal(result.spans, 3);
  assert.equal(result.ignoredSpans, 1);
  assert.equal(result.accepted.length, 1);
  assert.equal(result.accepted[0]?.span_id, ids.good?.spanId);
  assert.equal(result.rejected.length, 2, 'prompt and output of the bad span');
  assert.equal(result.rejectedSpans, 1, 'one span, however many of its events');
  assert.match(result.rejected[0]?.error ?? '', /^tenant:/);
  assert.equal(result.partialSuccess?.rejectedSpans, 1);
  assert.match(result.partialSuccess?.errorMessage ?? '', /2 GenAI event\(s\) rejected: prompt event of span [0-9a-f]{16}: tenant:/);

  const clean = ingestTraceRequest(jsonOf(agentRun().spans), JSON_CT, { receivedAt: T0, tenant: 'acme' });
  assert.equal(clean.partialSuccess, null);
  assert.equal(clean.accepted.length, 5);
  assert.ok(clean.accepted.every((e) => e.tenant === 'acme' && e.received_at === T0));

  assert.throws(() => ingestTraceRequest(Buffer.from('nope'), JSON_CT, { receivedAt: T0, tenant: null }), BodyInvalidError);
});
