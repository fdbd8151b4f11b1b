// The rule engine: every condition operator, every correlation type (with lateness and
// absence), exceptions, dedup, deterministic ids, replay and hot reload.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createDetectorRegistry } from '../services/shared/detectors/registry.js';
import { resultOf, type Detector } from '../services/shared/detectors/types.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import type { Detection } from '../services/shared/records.js';
import { hasErrors, loadPackText, RuleEngine, formatProblem } from '../services/shared/rules/index.js';

/** A detector that finds the word BAD in output text, for rules that use `detect:`. */
const fakeDetector: Detector = {
  name: 'bad_word',
  description: 'finds BAD',
  run(event) {
    const text = event.output?.text ?? '';
    const at = text.indexOf('BAD');
    return at < 0 ? resultOf([]) : resultOf([{ detector: 'bad_word', field: 'output.text', start: at, end: at + 3, score: 0.9, label: 'bad' }]);
  },
};
const registry = createDetectorRegistry([fakeDetector]);

const T0 = Date.UTC(2025, 5, 1);
let n = 0;
function ev(raw: Record<string, unknown>, atMs = 0): TelemetryEvent {
  const r = parseEvent({ event_id: `e${n++}`, ts: T0 + atMs, agent_id: 'a1', session_id: 's1', ...raw }, { receivedAt: T0 + atMs, tenant: null });
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.event;
}
const tool = (name: string, args: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({ kind: 'tool_call', tool_call: { name, arguments: args }, ...extra });
const out = (text: string, extra: Record<string, unknown> = {}) => ({ kind: 'output', output: { text }, ...extra });

function engineFor(yaml: string): RuleEngine {
  const { pack, problems } = loadPackText(yaml, registry);
  assert.ok(!hasErrors(problems), problems.map(formatProblem).join('\n'));
  return new RuleEngine(pack, { detectors: registry, now: () => T0 });
}

function rule(match: string, extra = ''): string {
  return `kind: rule\nid: r\nname: R\nversion: 1\nseverity: high\nmatch:\n${match.replace(/^/gm, '  ')}\n${extra}`;
}

function fires(yaml: string, event: TelemetryEvent): boolean {
  return engineFor(yaml).process(event).length > 0;
}

describe('single-event conditions', () => {
  const cases: Array<[string, string, Record<string, unknown>, boolean]> = [
    ['equals', 'field: tool_call.name\nequals: send_email', tool('send_email'), true],
    ['equals, other value', 'field: tool_call.name\nequals: send_email', tool('search'), false],
    ['shorthand equality', '{ tool_call.name: send_email }', tool('send_email'), true],
    ['shorthand list is in', '{ tool_call.name: [a, send_email] }', tool('send_email'), true],
    ['in', 'field: tool_call.name\nin: [x, send_email]', tool('send_email'), true],
    ['nested argument', 'field: tool_call.arguments.to\nendswith: "@evil.example"', tool('send_email', { to: 'x@evil.example' }), true],
    ['contains any of', 'field: output.text\ncontains: [foo, secret]', out('a secret here'), true],
    ['contains is case-sensitive', 'field: output.text\ncontains: SECRET', out('a secret here'), false],
    ['nocase', 'field: output.text\ncontains: SECRET\nnocase: true', out('a secret here'), true],
    ['startswith', 'field: tool_call.target\nstartswith: "http://"', tool('fetch', {}, { tool_call: { name: 'fetch', arguments: {}, target: 'http://x' } }), true],
    ['regex', 'field: output.text\nregex: "\\\\b\\\\d{3}-\\\\d{2}-\\\\d{4}\\\\b"', out('ssn 123-45-6789'), true],
    ['regex nocase', 'field: output.text\nregex: "^hello"\nnocase: true', out('HELLO'), true],
    ['gt', 'field: output.usage.output_tokens\ngt: 1000', { kind: 'output', output: { text: 'x', usage: { input_tokens: 1, output_tokens: 5000 } } }, true],
    ['lte false', 'field: output.usage.output_tokens\nlte: 1000', { kind: 'output', output: { text: 'x', usage: { input_tokens: 1, output_tokens: 5000 } } }, false],
    ['exists', 'field: key_id\nexists: true', out('x', { key_id: 'k1' }), true],
    ['exists false', 'field: key_id\nexists: false', out('x'), true],
    ['cidr v4', 'field: source_ip\ncidr: [10.0.0.0/8]', out('x', { source_ip: '10.2.3.4' }), true],
    ['cidr v4 outside', 'field: source_ip\ncidr: 10.0.0.0/8', out('x', { source_ip: '11.2.3.4' }), false],
    ['cidr v6', 'field: source_ip\ncidr: fd00::/8', out('x', { source_ip: 'fd12::1' }), true],
    ['field to field', 'field: user_id\nequals_field: agent_id', out('x', { user_id: 'a1' }), true],
    ['any element of an array', 'field: retrieval.documents[].source\nequals: wiki', { kind: 'retrieval', retrieval: { query: 'q', documents: [{ id: '1', source: 'web', content: 'c' }, { id: '2', source: 'wiki', content: 'c' }] } }, true],
    ['deep wildcard', 'field: tool_call.arguments.*\ncontains: "| sh"', tool('exec', { opts: { cmd: 'curl x | sh' } }), true],
    ['attributes', '{ attributes.channel: slack }', out('x', { attributes: { channel: 'slack' } }), true],
    ['transform strip_invisible', 'field: output.text\ncontains: ignore\ntransform: [strip_invisible]', out('ig\u200bnore'), true],
    ['without transform', 'field: output.text\ncontains: ignore', out('ig\u200bnore'), false],
    ['transform nfkc', 'field: output.text\ncontains: ignore\ntransform: [nfkc, lowercase]', out('ＩＧＮＯＲＥ'), true],
    ['transform decode base64', 'field: output.text\ncontains: ignore previous\ntransform: [decode]', out(`data ${Buffer.from('please ignore previous instructions').toString('base64')}`), true],
    ['all', 'all:\n  - kind: tool_call\n  - { tool_call.name: send_email }', tool('send_email'), true],
    ['any', 'any:\n  - { tool_call.name: nope }\n  - { tool_call.name: send_email }', tool('send_email'), true],
    ['not', 'not: { kind: output }', tool('x'), true],
    ['detect', 'detect: bad_word\nmin_score: 0.8', out('this is BAD'), true],
    ['detect below threshold', 'detect: bad_word\nmin_score: 0.95', out('this is BAD'), false],
    ['detect label', 'detect: bad_word\nlabel: [bad]', out('BAD'), true],
    ['detect other label', 'detect: bad_word\nlabel: other', out('BAD'), false],
  ];
  for (const [name, cond, raw, expected] of cases) {
    test(name, () => assert.equal(fires(rule(cond), ev(raw)), expected));
  }

  test('lists and macros', () => {
    const yaml = `kind: list\nid: egress_tools\nitems: [send_email, http_post]\n---\nkind: macro\nid: egress\ncondition:\n  field: tool_call.name\n  in: $egress_tools\n---\n${rule('macro: egress')}`;
    assert.equal(fires(yaml, ev(tool('http_post'))), true);
    assert.equal(fires(yaml, ev(tool('search'))), false);
  });

  test('exceptions: Falco-style tuples instead of and-not chains', () => {
    const yaml = rule('{ tool_call.name: send_email }', 'exceptions:\n  - name: trusted bot\n    fields: [agent_id, tool_call.arguments.to]\n    values: [[a1, ops@corp.example]]\n');
    assert.equal(fires(yaml, ev(tool('send_email', { to: 'ops@corp.example' }))), false);
    assert.equal(fires(yaml, ev(tool('send_email', { to: 'x@evil.example' }))), true);
  });

  test('a detection carries a deterministic id, the event ids, tags, evidence and a rendered summary', () => {
    const yaml = rule('detect: bad_word', 'tags: [owasp.llm01]\nsummary: "bad output in {{session_id}} by {{agent_id}}"\nplaybooks: [notify]\n');
    const e = ev(out('so BAD'));
    const [d] = engineFor(yaml).process(e) as [Detection];
    assert.equal(d.rule_id, 'r');
    assert.equal(d.severity, 'high');
    assert.deepEqual(d.event_ids, [e.event_id]);
    assert.deepEqual(d.tags, ['owasp.llm01']);
    assert.deepEqual(d.playbooks, ['notify']);
    assert.equal(d.summary, 'bad output in s1 by a1');
    assert.deepEqual(d.evidence.map((x) => [x.field, x.start, x.end, x.label]), [['output.text', 3, 6, 'bad']]);
    assert.match(d.detection_id, /^det_[0-9a-f]{32}$/);
    assert.equal(engineFor(yaml).process(e)[0]!.detection_id, d.detection_id, 'same input, same id');
  });

  test('dedup suppresses repeats within the window and counts them on the next detection', () => {
    const engine = engineFor(rule('detect: bad_word', 'dedup:\n  key: [session_id]\n  window: 10m\n'));
    assert.equal(engine.process(ev(out('BAD'), 0)).length, 1);
    assert.equal(engine.process(ev(out('BAD'), 60_000)).length, 0);
    assert.equal(engine.process(ev(out('BAD'), 120_000)).length, 0);
    assert.equal(engine.stats.suppressed.get('r'), 2);
    const [later] = engine.process(ev(out('BAD'), 11 * 60_000));
    assert.equal(later!.suppressed_count, 2);
    assert.equal(engine.process(ev(out('BAD', { session_id: 's2' }), 11 * 60_000 + 1)).length, 1, 'another key is not suppressed');
  });
});

function corr(body: string): string {
  return `kind: rule\nid: c\nname: C\nversion: 1\nseverity: critical\ncorrelate:\n${body.replace(/^/gm, '  ')}\n`;
}

describe('correlation', () => {
  const sequence = corr(`type: sequence
by: [session_id]
within: 10m
lateness: 1m
steps:
  - id: poisoned
    match: { detect: bad_word }
  - id: egress
    match: { tool_call.name: send_email }`);

  test('sequence: in order, within the span, by key', () => {
    const engine = engineFor(sequence);
    const a = ev(out('BAD doc'), 0);
    assert.deepEqual(engine.process(a), []);
    const b = ev(tool('send_email'), 5 * 60_000);
    const [d] = engine.process(b);
    assert.ok(d);
    assert.deepEqual(d.event_ids, [a.event_id, b.event_id]);
    assert.equal(d.severity, 'critical');
    assert.equal(engine.process(ev(tool('send_email'), 6 * 60_000)).length, 0, 'a matched sequence is consumed');
  });

  test('sequence: wrong order, too far apart, or another session does not match', () => {
    const e1 = engineFor(sequence);
    e1.process(ev(tool('send_email'), 0));
    assert.equal(e1.process(ev(out('BAD'), 1000)).length, 0);
    const e2 = engineFor(sequence);
    e2.process(ev(out('BAD'), 0));
    assert.equal(e2.process(ev(tool('send_email'), 11 * 60_000)).length, 0);
    const e3 = engineFor(sequence);
    e3.process(ev(out('BAD'), 0));
    assert.equal(e3.process(ev(tool('send_email', {}, { session_id: 'other' }), 1000)).length, 0);
  });

  test('sequence: an event late within the allowed lateness still completes it, in event-time order', () => {
    const engine = engineFor(sequence);
    engine.process(ev(tool('send_email'), 60_000));
    const [d] = engine.process(ev(out('BAD'), 30_000)); // arrives after, happened before
    assert.ok(d, 'late first step matched');
  });

  test('lateness: an event older than the watermark is not correlated, and counted', () => {
    const engine = engineFor(sequence);
    engine.process(ev(out('other'), 10 * 60_000)); // event time moves to 10m
    engine.process(ev(tool('send_email'), 10 * 60_000 + 1000));
    assert.equal(engine.process(ev(out('BAD'), 5 * 60_000)).length, 0);
    assert.equal(engine.stats.late.get('c'), 1);
  });

  test('an event stamped far in the future does not make every later event late', () => {
    const engine = engineFor(sequence);
    engine.process(ev({ ...out('clock skew'), ts: Date.UTC(2099, 0, 1) }));
    engine.process(ev(out('BAD'), 0));
    assert.equal(engine.process(ev(tool('send_email'), 1000)).length, 1);
    assert.equal(engine.stats.late.get('c') ?? 0, 0);
  });

  test('sequence steps may join on different fields', () => {
    const engine = engineFor(corr(`type: sequence
by: [session_id]
within: 10m
steps:
  - id: doc
    match: { detect: bad_word }
  - id: call
    by: [attributes.parent_session]
    match: { tool_call.name: send_email }`));
    engine.process(ev(out('BAD'), 0));
    assert.equal(engine.process(ev(tool('send_email', {}, { session_id: 'child', attributes: { parent_session: 's1' } }), 1000)).length, 1);
  });

  test('count: a threshold of matching events within the span', () => {
    const engine = engineFor(corr('type: count\nby: [agent_id]\nwithin: 1m\nthreshold: 5\nmatch: { kind: tool_call }'));
    const got: Detection[] = [];
    for (let i = 0; i < 4; i++) got.push(...engine.process(ev(tool('loop'), i * 1000)));
    assert.equal(got.length, 0);
    got.push(...engine.process(ev(tool('loop'), 5000)));
    assert.equal(got.length, 1);
    assert.equal(got[0]!.event_ids.length, 5);
    const spread = engineFor(corr('type: count\nby: [agent_id]\nwithin: 1m\nthreshold: 5\nmatch: { kind: tool_call }'));
    for (let i = 0; i < 10; i++) assert.equal(spread.process(ev(tool('loop'), i * 20_000)).length, 0, 'spread over more than the span');
  });

  test('value_count: distinct values within the span', () => {
    const engine = engineFor(corr('type: value_count\nby: [key_id]\nwithin: 1h\nfield: source_ip\nthreshold: 3\nmatch: { kind: output }'));
    assert.equal(engine.process(ev(out('x', { key_id: 'k', source_ip: '1.1.1.1' }), 0)).length, 0);
    assert.equal(engine.process(ev(out('x', { key_id: 'k', source_ip: '1.1.1.1' }), 1)).length, 0);
    assert.equal(engine.process(ev(out('x', { key_id: 'k', source_ip: '2.2.2.2' }), 2)).length, 0);
    assert.equal(engine.process(ev(out('x', { key_id: 'k', source_ip: '3.3.3.3' }), 3)).length, 1);
  });

  test('value_count and sum slide: values and amounts older than the span stop counting', () => {
    const distinct = engineFor(corr('type: value_count\nby: [key_id]\nwithin: 1h\nfield: source_ip\nthreshold: 3\nmatch: { kind: output }'));
    const from = (ip: string, at: number) => distinct.process(ev(out('x', { key_id: 'k', source_ip: ip }), at)).length;
    assert.equal(from('1.1.1.1', 0), 0);
    assert.equal(from('2.2.2.2', 1000), 0);
    assert.equal(from('2.2.2.2', 500), 0, 'an older repeat of a value changes nothing');
    assert.equal(from('3.3.3.3', 3_600_500), 0, '1.1.1.1 has left the hour');
    assert.equal(from('1.1.1.1', 3_600_600), 1, 'seen again, it counts again');
    const spent = engineFor(corr('type: sum\nby: [key_id]\nwithin: 1h\nfield: output.usage.output_tokens\nthreshold: 10000\nmatch: { kind: output }'));
    const use = (t: number, at: number) => spent.process(ev({ kind: 'output', key_id: 'k', output: { text: 'x', usage: { input_tokens: 0, output_tokens: t } } }, at));
    assert.equal(use(6000, 0).length, 0);
    assert.equal(use(3000, 1000).length, 0);
    assert.equal(use(2000, 3_600_500).length, 0, 'the first 6000 have left the hour');
    const fired = use(5000, 3_600_600);
    assert.equal(fired.length, 1);
    assert.equal(fired[0]!.event_ids.length, 3, 'the events listed are the three in the window');
  });

  test('sum: a numeric field summed within the span', () => {
    const engine = engineFor(corr('type: sum\nby: [key_id]\nwithin: 1h\nfield: output.usage.output_tokens\nthreshold: 10000\nmatch: { kind: output }'));
    const usage = (t: number) => ({ kind: 'output', key_id: 'k', output: { text: 'x', usage: { input_tokens: 0, output_tokens: t } } });
    assert.equal(engine.process(ev(usage(6000), 0)).length, 0);
    assert.equal(engine.process(ev(usage(3000), 1000)).length, 0);
    assert.equal(engine.process(ev(usage(2000), 2000)).length, 1);
  });

  const absence = corr(`type: absence
by: [session_id]
within: 5m
lateness: 30s
trigger: { tool_call.name: wire_transfer }
expect: { tool_call.name: approval_granted }`);

  test('absence (after): decided only when the window closes', () => {
    const engine = engineFor(absence);
    const t = ev(tool('wire_transfer'), 0);
    assert.equal(engine.process(t).length, 0);
    assert.equal(engine.process(ev(out('noise'), 4 * 60_000)).length, 0, 'window still open');
    const [d] = engine.process(ev(out('noise'), 6 * 60_000));
    assert.ok(d, 'decided once event time passed trigger + within + lateness');
    assert.deepEqual(d.event_ids, [t.event_id]);
  });

  test('absence (after): the expected event in time cancels it', () => {
    const engine = engineFor(absence);
    engine.process(ev(tool('wire_transfer'), 0));
    engine.process(ev(tool('approval_granted'), 2 * 60_000));
    assert.equal(engine.process(ev(out('noise'), 20 * 60_000)).length, 0);
    assert.equal(engine.flush().length, 0);
  });

  test('absence (before): a trigger without its expected predecessor', () => {
    const before = corr(`type: absence
by: [session_id]
within: 5m
lateness: 10s
order: before
trigger: { tool_call.name: wire_transfer }
expect: { tool_call.name: approval_granted }`);
    const ok = engineFor(before);
    ok.process(ev(tool('approval_granted'), 0));
    ok.process(ev(tool('wire_transfer'), 60_000));
    assert.equal(ok.flush().length, 0);
    const bad = engineFor(before);
    bad.process(ev(tool('wire_transfer'), 60_000));
    assert.equal(bad.flush().length, 1);
    const late = engineFor(before);
    late.process(ev(tool('wire_transfer'), 60_000));
    late.process(ev(tool('approval_granted'), 55_000)); // late, but within the allowed lateness
    assert.equal(late.flush().length, 0);
  });

  test('absence is decided while the partition is idle, by the wall clock', () => {
    let wall = T0;
    const { pack } = loadPackText(absence, registry);
    const engine = new RuleEngine(pack, { detectors: registry, now: () => wall, idleMs: 1000 });
    engine.process(ev(tool('wire_transfer'), 0));
    wall += 2 * 60_000;
    assert.equal(engine.tick(wall).length, 0);
    wall += 5 * 60_000;
    assert.equal(engine.tick(wall).length, 1);
  });

  test('state limits: groups beyond max_groups evict the least recently updated, counted', () => {
    const engine = engineFor(`${corr('type: count\nby: [session_id]\nwithin: 1h\nthreshold: 3\nmatch: { kind: tool_call }')}max_groups: 10\n`);
    for (let i = 0; i < 25; i++) engine.process(ev(tool('x', {}, { session_id: `s${i}` }), i));
    assert.equal(engine.groups().get('c'), 10);
    assert.equal(engine.stats.evicted.get('c'), 15);
  });

  test('events missing a by field are not correlated together', () => {
    const engine = engineFor(corr('type: count\nby: [user_id]\nwithin: 1h\nthreshold: 2\nmatch: { kind: tool_call }'));
    engine.process(ev(tool('x'), 0));
    assert.equal(engine.process(ev(tool('x'), 1)).length, 0);
  });

  test('correlation never crosses tenants', () => {
    const engine = engineFor(corr('type: count\nby: [session_id]\nwithin: 1h\nthreshold: 2\nmatch: { kind: tool_call }'));
    engine.process(ev(tool('x', {}, { tenant: 'a' }), 0));
    assert.equal(engine.process(ev(tool('x', {}, { tenant: 'b' }), 1)).length, 0);
  });
});

describe('replay and reload', () => {
  const seq = corr('type: sequence\nby: [session_id]\nwithin: 10m\nsteps:\n  - id: a\n    match: { detect: bad_word }\n  - id: b\n    match: { tool_call.name: send_email }');

  test('replayed events rebuild state without emitting; the live event completes the match with the same id', () => {
    const a = ev(out('BAD'), 0);
    const b = ev(tool('send_email'), 1000);
    const original = engineFor(seq);
    original.process(a);
    const [first] = original.process(b);
    const rebuilt = engineFor(seq);
    assert.deepEqual(rebuilt.process(a, { replay: true }), []);
    const [again] = rebuilt.process(b);
    assert.equal(again!.detection_id, first!.detection_id);
  });

  test('reload keeps the window state of unchanged rules and resets changed ones', () => {
    const engine = engineFor(seq);
    engine.process(ev(out('BAD'), 0));
    engine.reload(loadPackText(`${seq}description: same logic, new words\n`, registry).pack);
    assert.equal(engine.process(ev(tool('send_email'), 1000)).length, 0, 'changed rule starts empty');
    const kept = engineFor(seq);
    kept.process(ev(out('BAD'), 0));
    kept.reload(loadPackText(seq, registry).pack);
    assert.equal(kept.process(ev(tool('send_email'), 1000)).length, 1, 'unchanged rule keeps its state');
  });
});
