// Avro and zod must not drift: generated events of every kind go zod → Avro → decode and must
// come back identical; the other records round-trip too; old writers stay readable.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { SchemaRegistry } from '../services/shared/avro/registry.js';
import { decodeEvent, encodeEvent } from '../services/shared/avro/telemetry.js';
import { DecodeError } from '../services/shared/errors.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import { EVENT_KINDS } from '../services/shared/events/schema.js';
import { SCHEMAS_DIR } from '../services/shared/paths.js';
import { decodeRecord, encodeRecord, type Action, type Containment, type DeadLetter, type Detection } from '../services/shared/records.js';
import { rawEventArbitrary } from './support/arbitraries.js';

describe('telemetry event: zod → Avro → decode', () => {
  test('every generated event of every kind comes back identical', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(rawEventArbitrary(), (raw) => {
        const parsed = parseEvent(raw, { receivedAt: 1_700_000_000_000, tenant: null });
        assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
        seen.add(parsed.event.kind);
        const decoded = decodeEvent(encodeEvent(parsed.event));
        assert.deepStrictEqual(decoded, parsed.event);
      }),
      { numRuns: 400 },
    );
    assert.deepStrictEqual([...seen].sort(), [...EVENT_KINDS].sort());
  });

  test('every contract field of DESIGN.md has an Avro field', () => {
    const schema = JSON.parse(readFileSync(join(SCHEMAS_DIR, 'telemetry-event.v1.avsc'), 'utf8')) as { fields: Array<{ name: string }> };
    const avroFields = new Set(schema.fields.map((f) => f.name));
    const contract = ['event_id', 'ts', 'tenant', 'app', 'env', 'agent_id', 'session_id', 'trace_id', 'span_id', 'parent_span_id',
      'user_id', 'key_id', 'source_ip', 'kind', 'model', 'provider', 'prompt', 'output', 'retrieval', 'tool_call', 'attributes'];
    for (const field of contract) assert.ok(avroFields.has(field), `Avro schema lacks ${field}`);
  });

  test('the Confluent framing: magic byte 0 and the schema id of schemas/index.json', () => {
    const parsed = parseEvent({ kind: 'output', output: { text: 'hi' } }, { receivedAt: 1, tenant: null });
    assert.ok(parsed.ok);
    const buf = encodeEvent(parsed.event);
    assert.equal(buf[0], 0);
    assert.equal(buf.readInt32BE(1), 1);
  });

  test('bytes that are not a framed event are a DecodeError, never a crash', () => {
    for (const junk of [Buffer.alloc(0), Buffer.from('hello world'), Buffer.from([0, 0, 0, 0, 99, 1, 2]), Buffer.from([0, 0, 0, 0, 1, 255, 255, 255])]) {
      assert.throws(() => decodeEvent(junk), DecodeError);
    }
  });
});

describe('detection, action, containment and dead-letter records', () => {
  const detection: Detection = {
    detection_id: 'd1', rule_id: 'r.injection', rule_version: 3, severity: 'critical', ts: 10, detected_at: 11, tenant: 't',
    agent_id: 'a', session_id: null, key_id: 'fp_openai_0123456789abcdef01234567', user_id: null, group_key: 't:a',
    event_ids: ['e1', 'e2'], window_start: 1, window_end: 10, summary: 'x then y', tags: ['owasp.llm01'], playbooks: ['contain'],
    evidence: [{ event_id: 'e1', detector: 'injection', field: 'prompt.messages[0].content', start: 0, end: 12, score: 0.9, label: 'override' }],
    suppressed_count: 2,
  };
  const action: Action = {
    action_id: 'x', detection_id: 'd1', playbook_id: 'contain', step_index: 0, step: 'quarantine_agent', status: 'succeeded',
    attempt: 1, ts: 5, tenant: 't', target: 'agent:a', dry_run: false, actor: 'runwatch', detail: '1h',
  };
  const containment: Containment = {
    subject_type: 'agent', subject_id: 'a', tenant: 't', state: 'quarantined', reason: 'd1', detection_id: 'd1', since: 1,
    until: null, actor: 'runwatch', updated_at: 2,
  };
  const deadLetter: DeadLetter = {
    dead_letter_id: 'z', ts: 1, stage: 'collector', tenant: null, reason: 'tool_call.name: Required', payload: Buffer.from('{}'),
    payload_truncated: false, origin_topic: null, origin_partition: null, origin_offset: null,
  };

  test('each round-trips unchanged', () => {
    assert.deepStrictEqual(decodeRecord('Detection', encodeRecord('Detection', detection)), detection);
    assert.deepStrictEqual(decodeRecord('Action', encodeRecord('Action', action)), action);
    assert.deepStrictEqual(decodeRecord('Containment', encodeRecord('Containment', containment)), containment);
    assert.deepStrictEqual(decodeRecord('DeadLetter', encodeRecord('DeadLetter', deadLetter)), deadLetter);
  });

  test('a record of one type is not decoded as another', () => {
    assert.throws(() => decodeRecord('Action', encodeRecord('Detection', detection)), DecodeError);
  });
});

describe('schema evolution (schemas/README.md)', () => {
  test('messages written with an older version are read with the newer one, new fields at their defaults', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-schemas-'));
    for (const f of readdirSync(SCHEMAS_DIR)) if (f.endsWith('.avsc') || f === 'index.json') copyFileSync(join(SCHEMAS_DIR, f), join(dir, f));
    const v1 = JSON.parse(readFileSync(join(dir, 'action.v1.avsc'), 'utf8')) as { fields: unknown[] };
    v1.fields.push({ name: 'cost_ms', type: 'long', default: 0 });
    writeFileSync(join(dir, 'action.v2.avsc'), JSON.stringify(v1));
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Record<string, Array<{ id: number; file: string }>>;
    index.Action!.push({ id: 202, file: 'action.v2.avsc' });
    writeFileSync(join(dir, 'index.json'), JSON.stringify(index));

    const oldRegistry = new SchemaRegistry(SCHEMAS_DIR);
    const newRegistry = new SchemaRegistry(dir);
    const action = { action_id: 'x', detection_id: 'd', playbook_id: 'p', step_index: 0, step: 'notify', status: 'succeeded', attempt: 1, ts: 1, tenant: 't', target: null, dry_run: false, actor: 'runwatch', detail: '' };
    const old = oldRegistry.encode('Action', action);
    const read = newRegistry.decode('Action', old) as Record<string, unknown>;
    assert.equal(read.cost_ms, 0);
    assert.equal(read.step, 'notify');
    assert.equal(newRegistry.encode('Action', { ...action, cost_ms: 5 }).readInt32BE(1), 202);
  });
});
