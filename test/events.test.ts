// The v1 event contract at the edge: what is accepted, how it is normalized, and errors that
// name the field.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { fingerprintSecret, scrubIdentifier, scrubKeyId, secretKind } from '../services/shared/events/key-fingerprint.js';
import { eventKey, parseEvent } from '../services/shared/events/normalize.js';

const ctx = { receivedAt: 1_750_000_000_000, tenant: null };

function errorOf(raw: unknown, tenant: string | null = null): string {
  const r = parseEvent(raw, { ...ctx, tenant });
  assert.equal(r.ok, false, 'expected a rejection');
  return r.ok ? '' : r.error;
}

function eventOf(raw: unknown, tenant: string | null = null) {
  const r = parseEvent(raw, { ...ctx, tenant });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.event;
}

describe('validation errors name the field', () => {
  test('a missing required field reads "Required", as DESIGN.md shows', () => {
    assert.equal(errorOf({ kind: 'tool_call', tool_call: { arguments: {} } }), 'tool_call.name: Required');
    assert.equal(errorOf({ kind: 'prompt' }), 'prompt: Required');
  });
  test('a missing or unknown kind lists the kinds', () => {
    assert.match(errorOf({ agent_id: 'a' }), /^kind: Required \(one of prompt, output, retrieval, tool_call\)$/);
    assert.match(errorOf({ kind: 'email' }), /^kind: must be one of prompt, output, retrieval, tool_call$/);
  });
  test('nested array paths carry the index', () => {
    assert.match(errorOf({ kind: 'prompt', prompt: { messages: [{ role: 'user', content: 'a' }, { role: 'user' }] } }), /^prompt\.messages\[1\]\.content: /);
    assert.match(errorOf({ kind: 'retrieval', retrieval: { query: 'q', documents: [{ id: 'd', content: 'c', score: 'high' }] } }), /^retrieval\.documents\[0\]\.score: /);
  });
  test('an unknown field is named, so a typo is not silently dropped', () => {
    assert.equal(errorOf({ kind: 'output', output: { text: 'x' }, agentId: 'a' }), 'agentId: unknown field');
  });
  test("another kind's payload is refused", () => {
    assert.match(errorOf({ kind: 'output', output: { text: 'x' }, tool_call: { name: 'y' } }), /^tool_call: belongs to another kind/);
  });
  test('bad times, negative token counts and wrong types are refused', () => {
    assert.match(errorOf({ kind: 'output', output: { text: 'x' }, ts: 'yesterday' }), /^ts: /);
    assert.match(errorOf({ kind: 'output', output: { text: 'x', usage: { input_tokens: -1, output_tokens: 0 } } }), /^output\.usage\.input_tokens: /);
    assert.match(errorOf({ kind: 'tool_call', tool_call: { name: 'x', arguments: 'rm -rf /' } }), /^tool_call\.arguments: /);
    assert.match(errorOf({ kind: 'tool_call', tool_call: { name: 'x', status: 'maybe' } }), /^tool_call\.status: /);
  });
  test('arguments nested deeper than 64 levels are refused, not recursed into', () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 200; i++) deep = { d: deep };
    assert.match(errorOf({ kind: 'tool_call', tool_call: { name: 'x', arguments: deep } }), /^tool_call\.arguments: nested deeper than 64/);
  });
});

describe('normalization', () => {
  test('ids, times and tenant are filled in', () => {
    const e = eventOf({ kind: 'output', output: { text: 'x' } });
    assert.match(e.event_id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    assert.equal(e.ts, ctx.receivedAt);
    assert.equal(e.received_at, ctx.receivedAt);
    assert.equal(e.tenant, 'default');
    assert.equal(e.agent_id, null);
  });
  test('ISO-8601 and epoch ms give the same ts', () => {
    assert.equal(eventOf({ kind: 'output', output: { text: 'x' }, ts: '2025-01-02T03:04:05.678Z' }).ts, Date.UTC(2025, 0, 2, 3, 4, 5, 678));
    assert.equal(eventOf({ kind: 'output', output: { text: 'x' }, ts: 1735787045678 }).ts, 1735787045678);
  });
  test('multi-part chat content is joined into text', () => {
    const e = eventOf({ kind: 'prompt', prompt: { messages: [{ role: 'user', content: [{ type: 'text', text: 'a' }, { type: 'image_url' }, { type: 'text', text: 'b' }] }] } });
    assert.equal(e.prompt?.messages[0]?.content, 'a\nb');
  });
  test('tool results that are not strings keep their JSON text; attributes become strings', () => {
    const e = eventOf({ kind: 'tool_call', tool_call: { name: 'db', arguments: { q: 1 }, result: { rows: 3 } }, attributes: { n: 5, b: true } });
    assert.equal(e.tool_call?.result, '{"rows":3}');
    assert.deepEqual(e.tool_call?.arguments, { q: 1 });
    assert.deepEqual(e.attributes, { n: '5', b: 'true' });
  });
  test("a token's tenant is applied, and another tenant is refused", () => {
    assert.equal(eventOf({ kind: 'output', output: { text: 'x' } }, 'acme').tenant, 'acme');
    assert.equal(eventOf({ kind: 'output', output: { text: 'x' }, tenant: 'acme' }, 'acme').tenant, 'acme');
    assert.match(errorOf({ kind: 'output', output: { text: 'x' }, tenant: 'globex' }, 'acme'), /^tenant: this token may only send events for tenant 'acme'$/);
  });
  test('the partition key is tenant:agent_id', () => {
    assert.equal(eventKey(eventOf({ kind: 'output', output: { text: 'x' }, agent_id: 'bot-1', tenant: 't1' })), 't1:bot-1');
  });
});

describe('raw secrets in key_id are fingerprinted', () => {
  const secrets: Array<[string, string]> = [
    ['sk-proj-' + 'a1B2c3D4e5'.repeat(4), 'openai'],
    ['sk-ant-api03-' + 'Zx9'.repeat(10), 'anthropic'],
    ['AKIA' + 'ABCDEFGHIJ234567', 'aws'],
    ['ghp_' + 'aB1'.repeat(12), 'github'],
    ['xoxb-1234567890-abcdefghij', 'slack'],
    ['q8R#2mZ!v9Lp$4xT&7wK@1nB', 'secret'],
  ];
  for (const [secret, kind] of secrets) {
    test(`${kind} key`, () => {
      assert.equal(secretKind(secret), kind);
      const e = eventOf({ kind: 'output', output: { text: 'x' }, key_id: secret });
      assert.equal(e.key_id, fingerprintSecret(secret, kind));
      assert.match(e.key_id!, new RegExp(`^fp_${kind}_[0-9a-f]{24}$`));
      assert.ok(!e.key_id!.includes(secret.slice(4, 12)));
    });
  }
  test('ordinary key ids, UUIDs, ULIDs and fingerprints pass through unchanged', () => {
    for (const id of ['key-prod-7', 'team_a_key', '3f2b8c1e-9d4a-4f6b-8e2a-1c5d7e9f0a2b', '01JD3X6Y8Z9A0B1C2D3E4F5G6H', fingerprintSecret('sk-x', 'openai')]) {
      assert.equal(scrubKeyId(id), id);
    }
  });
  test('the fingerprint is stable', () => {
    assert.equal(scrubKeyId('sk-proj-' + 'z'.repeat(30)), scrubKeyId('sk-proj-' + 'z'.repeat(30)));
  });
});

describe('credentials sent as session_id or user_id are fingerprinted; random ids are not', () => {
  const jwt = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"sub":"u1"}').toString('base64url')}.c2lnbmF0dXJlLWJ5dGVz`;
  test('a bearer JWT as the session, a provider key as the user', () => {
    const key = 'sk-proj-' + 'a1B2c3D4e5'.repeat(4);
    const e = eventOf({ kind: 'output', output: { text: 'x' }, session_id: jwt, user_id: key });
    assert.equal(e.session_id, fingerprintSecret(jwt, 'jwt'));
    assert.equal(e.user_id, fingerprintSecret(key, 'openai'));
    assert.equal(scrubIdentifier(jwt), e.session_id, 'the API maps a raw value the same way');
  });
  test('ordinary and random-looking ids pass through', () => {
    for (const id of ['s-42', 'thread_abcDEF123456789012345678', 'q8R#2mZ!v9Lp$4xT&7wK@1nB', '01JD3X6Y8Z9A0B1C2D3E4F5G6H', 'alice@example.com']) {
      assert.equal(eventOf({ kind: 'output', output: { text: 'x' }, session_id: id, user_id: id }).session_id, id);
      assert.equal(scrubIdentifier(id), id);
    }
  });
});
