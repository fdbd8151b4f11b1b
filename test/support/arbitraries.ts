/** fast-check generators of raw v1 events as apps send them, every kind, optional fields at random. */
import fc from 'fast-check';

const text = fc.string({ unit: 'grapheme', maxLength: 40 });
const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });
const jsonObject = fc.dictionary(
  fc.string({ maxLength: 12 }).filter((k) => k !== '__proto__'),
  fc.json({ maxDepth: 3 }).map((j) => JSON.parse(j) as unknown),
  { maxKeys: 5 },
);

const common = fc.record(
  {
    event_id: fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/),
    ts: fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.date({ min: new Date(0), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString())),
    tenant: fc.stringMatching(/^[A-Za-z0-9._-]{1,20}$/),
    app: id,
    env: id,
    agent_id: id,
    session_id: id,
    trace_id: fc.stringMatching(/^[0-9a-f]{32}$/),
    span_id: fc.stringMatching(/^[0-9a-f]{16}$/),
    parent_span_id: fc.stringMatching(/^[0-9a-f]{16}$/),
    user_id: id,
    key_id: fc.oneof(id, fc.constant('sk-proj-' + 'Ab3'.repeat(10))),
    source_ip: fc.ipV4(),
    model: id,
    provider: id,
    attributes: fc.dictionary(fc.string({ minLength: 1, maxLength: 10 }).filter((k) => k !== '__proto__'), text, { maxKeys: 4 }),
  },
  { requiredKeys: [] },
);

const prompt = fc.record({
  kind: fc.constant('prompt' as const),
  prompt: fc.record({ messages: fc.array(fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'tool'), content: text }), { minLength: 1, maxLength: 4 }) }),
});

const output = fc.record({
  kind: fc.constant('output' as const),
  output: fc.record(
    {
      text,
      finish_reason: fc.constantFrom('stop', 'length', 'tool_calls'),
      usage: fc.record({ input_tokens: fc.nat(1_000_000), output_tokens: fc.nat(1_000_000) }),
    },
    { requiredKeys: ['text'] },
  ),
});

const retrieval = fc.record({
  kind: fc.constant('retrieval' as const),
  retrieval: fc.record({
    query: text,
    documents: fc.array(
      fc.record(
        { id, source: id, uri: fc.webUrl(), score: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((n) => !Object.is(n, -0)), content: text },
        { requiredKeys: ['id', 'content'] },
      ),
      { maxLength: 4 },
    ),
  }),
});

const toolCall = fc.record({
  kind: fc.constant('tool_call' as const),
  tool_call: fc.record(
    {
      name: id,
      call_id: id,
      arguments: jsonObject,
      result: fc.oneof(text, jsonObject),
      status: fc.constantFrom('ok', 'error', 'denied'),
      target: fc.webUrl(),
    },
    { requiredKeys: ['name'] },
  ),
});

export function rawEventArbitrary(): fc.Arbitrary<Record<string, unknown>> {
  return fc.tuple(common, fc.oneof(prompt, output, retrieval, toolCall)).map(([c, k]) => ({ ...c, ...k }));
}
