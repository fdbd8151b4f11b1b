// Fuzzing the collector's edge (issue 6, bad input): random JSON, valid events broken at any
// depth, deep nesting, huge and invalid-UTF-8 bodies, truncated JSON, NDJSON junk, corrupt
// gzip, wrong content types, OTLP junk. Whatever arrives: never a 5xx, a 4xx says what is
// wrong in a JSON body, a 207 publishes exactly its valid events and dead-letters the rest,
// and the server still takes a good event afterwards. RUNWATCH_FUZZ_SCALE=10 fuzzes longer.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, describe, test } from 'node:test';
import fc from 'fast-check';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { RpcStatus } from '../services/collector/otlp/proto.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import { rawEventArbitrary } from './support/arbitraries.js';
import { startTestCollector } from './support/collector.js';
import { formatJsonPath, fuzzRuns, mutatedJson, type JsonMutation } from './support/mutations.js';

// A failure prints the counterexample, the seed and the assertion that failed.
fc.configureGlobal({ ...fc.readConfigureGlobal(), includeErrorInReport: true });

const LIMIT = 256 * 1024;
/** Longest reason a rejection may carry: a message is for reading, not an echo of the input. */
const MAX_REASON = 4096;

const bus = new MemoryBus({ partitions: 1 });
const c = await startTestCollector(bus, { RUNWATCH_COLLECTOR_BODY_LIMIT_BYTES: String(LIMIT) });
after(async () => {
  await c.close();
  await bus.close();
});

interface Answer {
  status: number;
  contentType: string;
  bytes: Buffer;
  /** The body as JSON, or undefined when it is not JSON. */
  json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- checked field by field below
  /** Records the request put on the telemetry and dead-letter topics. */
  published: number;
  deadLettered: number;
}

async function topicSize(topic: string): Promise<number> {
  return (await bus.endOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
}

async function send(path: string, body: string | Buffer, headers: Record<string, string> = {}): Promise<Answer> {
  const [t0, d0] = [await topicSize(TOPICS.telemetry), await topicSize(TOPICS.deadletter)];
  const res = await fetch(c.url + path, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch {
    json = undefined;
  }
  const [t1, d1] = [await topicSize(TOPICS.telemetry), await topicSize(TOPICS.deadletter)];
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', bytes, json, published: t1 - t0, deadLettered: d1 - d0 };
}

/** What every POST /v1/events answer must be, whatever was sent. */
function checkEventsAnswer(a: Answer, what: string): void {
  assert.ok(a.status < 500, `${what}: ${a.status} ${a.bytes.toString().slice(0, 300)}`);
  assert.ok(a.json !== undefined, `${what}: the answer is not JSON`);
  if (a.status === 202 || a.status === 207) {
    const rejected: Array<{ index: number; line?: number; error: string }> = a.json.rejected ?? [];
    assert.equal(a.published, a.json.accepted, `${what}: accepted ${a.json.accepted}, published ${a.published}`);
    assert.equal(a.deadLettered, rejected.length, `${what}: rejected ${rejected.length}, dead-lettered ${a.deadLettered}`);
    if (a.status === 202) assert.equal(a.json.rejected, undefined);
    else assert.ok(rejected.length > 0);
    for (const r of rejected) {
      assert.ok(Number.isInteger(r.index) && r.index >= 0, `${what}: index ${r.index}`);
      assert.ok(typeof r.error === 'string' && r.error.length > 0, `${what}: a rejection without a reason`);
      assert.ok(r.error.length <= MAX_REASON, `${what}: a ${r.error.length}-char reason: ${r.error.slice(0, 200)}…`);
    }
    return;
  }
  assert.ok([400, 413, 415].includes(a.status), `${what}: unexpected ${a.status} ${a.bytes.toString().slice(0, 300)}`);
  assert.match(a.json.code, /^RW_ERR_/, `${what}: ${a.bytes.toString()}`);
  assert.equal(typeof a.json.error, 'string');
  const reason: Record<number, RegExp> = {
    400: /not JSON|not valid UTF-8|empty body|expected an event object|cannot decode|Content-Encoding/,
    413: /larger than the \d+-byte limit/,
    415: /Content-Type/,
  };
  assert.match(a.json.error, reason[a.status]!, `${what}: ${a.status} says ${a.json.error}`);
  assert.equal(a.published + a.deadLettered, 0, `${what}: a refused request published records`);
}

/** Expected answer for a JSON body, from the same validator the collector uses. */
function checkAgainstValidator(a: Answer, body: string, what: string): void {
  if (Buffer.byteLength(body) > LIMIT) return assert.equal(a.status, 413, what);
  const value: unknown = JSON.parse(body);
  if (value === null || typeof value !== 'object') return assert.equal(a.status, 400, what);
  const items = Array.isArray(value) ? value : [value];
  const invalid = items.flatMap((raw, index) => {
    const r = parseEvent(raw, { receivedAt: Date.now(), tenant: null });
    return r.ok ? [] : [index];
  });
  assert.equal(a.status, invalid.length === 0 ? 202 : 207, `${what}: ${a.bytes.toString().slice(0, 300)}`);
  assert.deepEqual((a.json.rejected ?? []).map((r: { index: number }) => r.index), invalid, what);
}

/** A rejected mutated event names the field that was broken (or, for `kind`, the payload it now lacks). */
function checkNamesField(reason: string, m: JsonMutation): void {
  // Long keys are shown cut to 64 characters and an ellipsis (services/shared/validation.ts).
  const path = (m.op === 'add_key' ? [...m.path, m.key!] : m.path).map((p) => (typeof p === 'string' && p.length > 64 ? p.slice(0, 64) : p));
  if (path[0] === 'kind') return;
  const named = path.some((_, n) => {
    const prefix = formatJsonPath(path.slice(0, n + 1));
    return [':', '.', '[', '…'].some((next) => reason.includes(prefix + next));
  });
  assert.ok(named, `the reason "${reason.slice(0, 300)}" names no part of ${formatJsonPath(path)} (${m.op})`);
}

/** After each batch of junk: a good event is still accepted and the probe says ok. */
async function checkStillServing(): Promise<void> {
  const ok = await send('/v1/events', JSON.stringify({ kind: 'output', agent_id: 'fuzz-canary', output: { text: 'still here' } }));
  assert.equal(ok.status, 202);
  const health = await fetch(`${c.url}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { status: string }).status, 'ok');
  assert.ok(c.collector.spool.isEmpty, 'nothing was spooled: the bus never failed');
  assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype was polluted');
}

const runs = fuzzRuns;
const mutatedEvent = mutatedJson(rawEventArbitrary());
const json = (value: unknown) => JSON.stringify(value);

describe('POST /v1/events under bad input', () => {
  test('random JSON values: 202/207 exactly as the validator decides, 400 for scalars', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue(), fc.array(fc.jsonValue({ maxDepth: 3 }), { maxLength: 5 })), async (value) => {
        const body = json(value);
        const a = await send('/v1/events', body);
        checkEventsAnswer(a, body);
        checkAgainstValidator(a, body, body);
      }),
      { numRuns: runs(150) },
    );
    await checkStillServing();
  });

  test('valid events broken at any depth: the reason names the broken field; the valid ones of a batch are published', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawEventArbitrary(), { maxLength: 3 }), mutatedEvent, fc.nat(3), async (good, bad, at) => {
        const batch: unknown[] = [...good];
        batch.splice(at % (good.length + 1), 0, bad.value);
        const body = json(batch);
        const a = await send('/v1/events', body);
        checkEventsAnswer(a, `mutation ${json(bad.mutation).slice(0, 200)}`);
        checkAgainstValidator(a, body, `mutation ${json(bad.mutation).slice(0, 200)}`);
        const rejection = a.json.rejected?.find((r: { index: number }) => r.index === at % (good.length + 1));
        if (rejection) checkNamesField(rejection.error, bad.mutation);
      }),
      { numRuns: runs(250) },
    );
    await checkStillServing();
  });

  test('thousands of mistakes in one event: the reason shows the first few and counts the rest', async () => {
    const many = fc.constantFrom('messages', 'documents', 'unknown fields', 'attributes');
    await fc.assert(
      fc.asyncProperty(many, fc.integer({ min: 11, max: 10_000 }), async (what, n) => {
        const items = Array.from({ length: n }, (_, i) => i);
        const event = {
          messages: { kind: 'prompt', prompt: { messages: items } },
          documents: { kind: 'retrieval', retrieval: { query: 'q', documents: items.map(() => ({})) } },
          'unknown fields': { kind: 'output', output: { text: 'x' }, ...Object.fromEntries(items.map((i) => [`field_${i}`, i])) },
          attributes: { kind: 'output', output: { text: 'x' }, attributes: Object.fromEntries(items.map((i) => [`a${i}`, [i]])) },
        }[what];
        const a = await send('/v1/events', json(event));
        checkEventsAnswer(a, `${n} ${what}`);
        assert.equal(a.status, 207);
        assert.match(a.json.rejected[0].error, /\(and \d+ more( unknown fields)?\)$/, `${n} ${what}`);
      }),
      { numRuns: runs(12) },
    );
    await checkStillServing();
  });

  test('a __proto__ key stays a key when a lone surrogate makes the collector rebuild the body (found by this fuzzing)', async () => {
    const top = await send('/v1/events', '{"kind":"output","output":{"text":"\\ud800"},"__proto__":{"agent_id":"smuggled"}}');
    assert.equal(top.status, 207);
    assert.equal(top.json.rejected[0].error, '__proto__: unknown field');
    const nested = await send('/v1/events', '{"kind":"output","output":{"text":"\\ud800","__proto__":{"usage":{"input_tokens":1,"output_tokens":1}}}}');
    assert.equal(nested.status, 207);
    assert.equal(nested.json.rejected[0].error, 'output.__proto__: unknown field');
  });

  test('NDJSON with junk lines: each junk line is rejected with its line number, the rest accepted', async () => {
    const line = fc.oneof(
      rawEventArbitrary().map(json),
      mutatedEvent.map((m) => json(m.value)),
      fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[\n]/g, ' ')),
      fc.constantFrom('', '   ', '{', '[1,2', 'null', '42', '"x"', '{"kind":"output"', '\r', '\u2028'),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { minLength: 1, maxLength: 8 }), async (lines) => {
        const body = lines.join('\n');
        const a = await send('/v1/events', body, { 'content-type': 'application/x-ndjson' });
        checkEventsAnswer(a, body);
        const expected = lines.flatMap((text, i): Array<{ line: number; ok?: true; json?: boolean }> => {
          const trimmed = text.trim();
          if (trimmed === '') return [];
          let raw: unknown;
          try {
            raw = JSON.parse(trimmed);
          } catch {
            return [{ line: i + 1, json: false }];
          }
          return parseEvent(raw, { receivedAt: Date.now(), tenant: null }).ok ? [{ line: i + 1, ok: true }] : [{ line: i + 1, json: true }];
        });
        if (expected.length === 0) return assert.equal(a.status, 400, body);
        const rejected = expected.filter((e) => !e.ok);
        assert.deepEqual(a.json.rejected?.map((r: { line: number }) => r.line) ?? [], rejected.map((e) => e.line), body);
        rejected.forEach((e, i) => {
          if (e.json === false) assert.match(a.json.rejected[i].error, new RegExp(`^line ${e.line} is not JSON`));
        });
      }),
      { numRuns: runs(150) },
    );
    await checkStillServing();
  });

  test('deep nesting (up to 20,000 levels of [ or {), at the root or inside a field: 400 or 207 naming the field', async () => {
    const where = fc.constantFrom('root', 'tool_call.arguments', 'tool_call.result', 'attributes', 'prompt content', 'array item');
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('[', '{'), fc.boolean(), where, async (depth, open, closed, place) => {
        const [o, close] = open === '[' ? ['[', ']'] : ['{"a":', '}'];
        const deep = o.repeat(depth) + (closed ? '1' + close.repeat(depth) : '');
        const wrap: Record<string, (d: string) => string> = {
          root: (d) => d,
          'tool_call.arguments': (d) => `{"kind":"tool_call","tool_call":{"name":"t","arguments":${d}}}`,
          'tool_call.result': (d) => `{"kind":"tool_call","tool_call":{"name":"t","arguments":{},"result":${d}}}`,
          attributes: (d) => `{"kind":"output","output":{"text":"x"},"attributes":${d}}`,
          'prompt content': (d) => `{"kind":"prompt","prompt":{"messages":[{"role":"user","content":${d}}]}}`,
          'array item': (d) => `[{"kind":"output","output":{"text":"x"}},${d}]`,
        };
        const body = wrap[place]!(deep);
        const a = await send('/v1/events', body);
        const what = `${depth} × ${open} ${closed ? 'closed' : 'open'} in ${place}`;
        checkEventsAnswer(a, what);
        if (!closed) return assert.equal(a.status, 400, what);
        assert.equal(a.status, 207, what);
        if (place !== 'root' && place !== 'array item') assert.match(a.json.rejected[0].error, new RegExp(place.split(' ')[0]!.replace('.', '\\.')), what);
      }),
      { numRuns: runs(40) },
    );
    await checkStillServing();
  });

  test('huge strings near and over the size limit, in bytes not characters, plain and gzip: 202 up to the limit, 413 past it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -64, max: 64 }), fc.constantFrom('x', 'é', '€', '😀'), fc.boolean(), async (delta, char, gzip) => {
        const shell = json({ kind: 'output', output: { text: '' } });
        const room = LIMIT + delta - Buffer.byteLength(shell);
        const unit = Buffer.byteLength(char);
        const text = char.repeat(Math.floor(room / unit)) + 'x'.repeat(room % unit);
        const body = json({ kind: 'output', output: { text } });
        const size = Buffer.byteLength(body);
        const a = await send('/v1/events', gzip ? gzipSync(body) : body, gzip ? { 'content-encoding': 'gzip' } : {});
        const what = `${size} bytes of ${char} (limit ${LIMIT})${gzip ? ', gzip' : ''}`;
        checkEventsAnswer(a, what);
        assert.equal(a.status, size <= LIMIT ? 202 : 413, what);
      }),
      { numRuns: runs(30) },
    );
    await checkStillServing();
  });

  test('invalid UTF-8 anywhere in a JSON or NDJSON body: 400 "not valid UTF-8"', async () => {
    const invalid = fc.constantFrom([0xff], [0xc0, 0x80], [0x80], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf0, 0x9f, 0x98]);
    await fc.assert(
      fc.asyncProperty(rawEventArbitrary(), invalid, fc.nat(), fc.boolean(), async (event, bytes, at, ndjson) => {
        const text = Buffer.from(json(event));
        const i = at % (text.length + 1);
        const body = Buffer.concat([text.subarray(0, i), Buffer.from(bytes), text.subarray(i)]);
        const a = await send('/v1/events', body, ndjson ? { 'content-type': 'application/x-ndjson' } : {});
        checkEventsAnswer(a, `${bytes} at ${i}`);
        assert.equal(a.status, 400);
        assert.match(a.json.error, /not valid UTF-8/);
      }),
      { numRuns: runs(60) },
    );
    await checkStillServing();
  });

  test('truncated JSON: 400 naming JSON (or the empty body)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawEventArbitrary(), { minLength: 1, maxLength: 3 }), fc.nat(), fc.boolean(), async (events, at, array) => {
        const text = json(array ? events : events[0]);
        const body = text.slice(0, at % text.length);
        const a = await send('/v1/events', body);
        checkEventsAnswer(a, body);
        assert.equal(a.status, 400, body);
      }),
      { numRuns: runs(80) },
    );
    await checkStillServing();
  });

  test('corrupt or mislabelled compressed bodies: 400 naming the encoding, never 5xx', async () => {
    const damage = fc.oneof(
      fc.record({ flip: fc.nat(), bits: fc.integer({ min: 1, max: 255 }) }),
      fc.record({ cut: fc.nat() }),
      fc.record({ prefix: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
    );
    const encoding = fc.constantFrom('gzip', 'x-gzip', 'deflate', 'br', 'compress', 'gzip, gzip', ' GZIP ', 'identity, gzip', '');
    await fc.assert(
      fc.asyncProperty(rawEventArbitrary(), damage, encoding, async (event, d, enc) => {
        let body = gzipSync(json(event));
        if ('flip' in d) body[d.flip % body.length]! ^= d.bits;
        else if ('cut' in d) body = body.subarray(0, d.cut % body.length);
        else body = Buffer.concat([Buffer.from(d.prefix), body]);
        const a = await send('/v1/events', body, { 'content-encoding': enc });
        checkEventsAnswer(a, `${enc} ${json(d)}`);
      }),
      { numRuns: runs(120) },
    );
    await checkStillServing();
  });

  test('wrong, odd or malformed content types: an answer that says what to send', async () => {
    const contentType = fc.oneof(
      fc.constantFrom('', ';', 'a/b/c', 'text/plain', 'application/x-ndjson', 'application/jsonl', 'application/json; charset=latin1', 'multipart/form-data; boundary=x', 'application/x-protobuf', '*/*', 'application/json;;;'),
      fc.string({ maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    );
    const body = fc.oneof(rawEventArbitrary().map(json), fc.array(rawEventArbitrary(), { maxLength: 3 }).map((es) => es.map(json).join('\n')));
    await fc.assert(
      fc.asyncProperty(contentType, body, async (type, text) => {
        const a = await send('/v1/events', text, { 'content-type': type });
        checkEventsAnswer(a, `Content-Type ${JSON.stringify(type)}`);
      }),
      { numRuns: runs(120) },
    );
    await checkStillServing();
  });
});

describe('POST /v1/check under bad input', () => {
  test('broken events: 200 with a verdict, or 4xx naming the field; nothing published', async () => {
    await fc.assert(
      fc.asyncProperty(mutatedEvent, async (bad) => {
        const a = await send('/v1/check', json(bad.value));
        assert.ok([200, 400, 413].includes(a.status), `${a.status} ${a.bytes.toString().slice(0, 300)}`);
        assert.equal(a.published + a.deadLettered, 0);
        if (a.status === 200) return assert.match(a.json.verdict, /^(allow|deny)$/);
        assert.match(a.json.code, /^RW_ERR_/);
        if (a.status === 400) checkNamesField(a.json.error, bad.mutation);
      }),
      { numRuns: runs(100) },
    );
    await checkStillServing();
  });
});

/** Real GenAI spans (a tool call, a chat with output, a retrieval) as an OTel SDK exports them. */
function genAiSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'fuzz-app' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('fuzz');
  const span = (name: string, attributes: Record<string, string | number>) => tracer.startSpan(name, { attributes }).end();
  span('execute_tool send_email', { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'send_email', 'gen_ai.tool.call.arguments': json({ to: 'a@example.com' }), 'gen_ai.agent.id': 'otel-agent' });
  span('chat gpt', {
    'gen_ai.operation.name': 'chat',
    'gen_ai.input.messages': json([{ role: 'user', parts: [{ type: 'text', content: 'hello' }] }]),
    'gen_ai.output.messages': json([{ role: 'assistant', parts: [{ type: 'text', content: 'hi' }], finish_reason: 'stop' }]),
    'gen_ai.usage.input_tokens': 12,
    'gen_ai.conversation.id': 'conv-1',
  });
  span('retrieval kb', { 'gen_ai.operation.name': 'retrieval', 'gen_ai.retrieval.query.text': 'refunds', 'gen_ai.retrieval.documents': json([{ id: 'd1', score: 0.5, content: 'Refunds in 30 days' }]) });
  return exporter.getFinishedSpans();
}

/** What every POST /v1/traces answer must be: 200, or 4xx with a google.rpc.Status that says why, in the request's encoding. */
function checkTracesAnswer(a: Answer, protobuf: boolean, what: string): string | null {
  assert.ok(a.status < 500, `${what}: ${a.status}`);
  if (a.status === 415) return assert.match(a.json.error, /Content-Type|application\/x-protobuf/), null;
  assert.equal(a.contentType, protobuf ? 'application/x-protobuf' : 'application/json', what);
  if (a.status === 200) {
    if (a.deadLettered > 0) assert.ok(protobuf || Number(a.json.partialSuccess?.rejectedSpans) > 0, `${what}: dead letters without a partial success`);
    return null;
  }
  assert.ok([400, 413].includes(a.status), `${what}: ${a.status}`);
  assert.equal(a.published + a.deadLettered, 0, `${what}: a refused export published records`);
  if (a.status === 413) return null;
  const status = protobuf ? (RpcStatus.toObject(RpcStatus.decode(a.bytes)) as { code: number; message: string }) : a.json;
  assert.equal(status.code, 3, what);
  assert.ok(typeof status.message === 'string' && status.message.length > 10 && status.message.length <= MAX_REASON, `${what}: ${status.message}`);
  return status.message;
}

describe('POST /v1/traces under bad input', () => {
  const spans = genAiSpans();
  const exportJson = JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString()) as Record<string, unknown>;
  const exportProto = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!);

  test('the unbroken export is accepted in both encodings (the fuzzing starts from something valid)', async () => {
    const a = await send('/v1/traces', json(exportJson));
    assert.equal(a.status, 200);
    assert.equal(a.published, 4);
    const p = await send('/v1/traces', exportProto, { 'content-type': 'application/x-protobuf' });
    assert.equal(p.status, 200);
    assert.equal(p.published, 4);
  });

  test('random bytes and damaged protobuf exports as application/x-protobuf: 200 or a 400 Status naming protobuf', async () => {
    const damaged = fc.record({ flip: fc.nat(), bits: fc.integer({ min: 1, max: 255 }), cut: fc.nat() }).map(({ flip, bits, cut }) => {
      const b = Buffer.from(exportProto);
      b[flip % b.length]! ^= bits;
      return b.subarray(0, b.length - (cut % 4 === 0 ? cut % b.length : 0));
    });
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)), damaged), async (body) => {
        const a = await send('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
        const message = checkTracesAnswer(a, true, body.toString('hex').slice(0, 100));
        if (message) assert.match(message, /protobuf|OTLP/);
      }),
      { numRuns: runs(150) },
    );
    await checkStillServing();
  });

  test('random JSON and broken OTLP/JSON exports (any field, any depth): 200 or a 400 naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.jsonValue().map((v) => ({ value: v, mutation: null })), mutatedJson(fc.constant(exportJson))), async ({ value, mutation }) => {
        const body = json(value) ?? '';
        const a = await send('/v1/traces', body);
        const message = checkTracesAnswer(a, false, mutation ? json(mutation).slice(0, 200) : body.slice(0, 200));
        if (message && mutation) checkNamesField(message.replace(/^OTLP json body: /, ''), mutation);
      }),
      { numRuns: runs(200) },
    );
    await checkStillServing();
  });
});
