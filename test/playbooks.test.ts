// The playbook language: loading and lint at file:line:col, matching, the step state machine
// (when, on_error abort | continue | retry with backoff), safety, templates, signed notify
// bodies, the default playbooks, and the `runwatch playbooks` commands.
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { lintPlaybooks, planPlaybooks, testPlaybooks } from '../services/cli/commands/playbooks.js';
import {
  backoffDelay, decideStep, lintPlaybookSet, loadPlaybooks, loadPlaybookText, matchPlaybooks, nextStep, planDetection, playbookDirsOf,
  renderJsonBody, renderTemplate, runPlaybookTests, signBody, toDetection, verifySignature, type StepRecord,
} from '../services/responder/playbooks/index.js';
import { notifyRequest, revokeRequest } from '../services/responder/playbooks/requests.js';
import { DEFAULT_SAFETY, parseSeverityComparator, SafetyDoc, type PlaybookDoc } from '../services/responder/playbooks/schema.js';
import type { Detection } from '../services/shared/records.js';
import { formatProblem } from '../services/shared/rules/index.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';

const RULES = join(PROJECT_ROOT, 'rules');

function load(text: string) {
  const l = loadPlaybookText(text, 'p.yaml');
  return { ...l, problems: [...l.problems, ...lintPlaybookSet(l.set)].map(formatProblem) };
}

function playbook(text: string): PlaybookDoc {
  const l = load(text);
  assert.deepEqual(l.problems, []);
  return l.set.playbooks[0]!.doc;
}

const detection = (over: Partial<Detection> = {}): Detection => toDetection({ rule_id: 'rw.x', severity: 'high', ...over });

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('loading and lint', () => {
  test('zod problems at file:line:col', () => {
    const l = load(
      [
        'kind: playbook', //                                  1
        'id: p', //                                           2
        'name: P', //                                         3
        'colour: red', //                                     4 unknown field
        'steps:', //                                          5
        '  - id: q', //                                       6
        '    type: quarantine_agent', //                      7 duration missing
        '  - id: n', //                                       8
        '    type: nope', //                                  9
        '  - id: s', //                                      10
        '    type: snapshot_evidence', //                    11
        '    on_error: maybe', //                            12
        '---',
        'kind: playbok', //                                  14
      ].join('\n'),
    );
    assert.deepEqual(l.problems, [
      'p.yaml:6:5: error: steps[0].duration: Required',
      'p.yaml:9:11: error: steps[1].type: must be one of quarantine_agent, revoke_key, block_session, notify, require_approval, snapshot_evidence',
      'p.yaml:12:15: error: steps[2].on_error: Invalid option: expected one of "abort"|"continue"|"retry"',
      'p.yaml:4:1: error: colour: unknown field',
      'p.yaml:14:7: error: kind: must be one of playbook, provider, safety, playbook_test',
    ]);
  });

  test('cross-document checks: when steps, duplicate ids, providers, placeholders, literal secrets', () => {
    const l = load(
      [
        'kind: playbook', //                                                   1
        'id: p', //                                                            2
        'name: P', //                                                          3
        'steps:', //                                                           4
        '  - { id: a, type: revoke_key, provider: gateway }', //               5 no such provider
        '  - { id: a, type: snapshot_evidence }', //                           6 duplicate step
        '  - id: b', //                                                        7
        '    type: block_session', //                                          8
        '    when: { step: c, status: failed }', //                           9 c comes later
        '  - id: c', //                                                       10
        '    type: notify', //                                                11
        '    url: "{{env.HOOK}}/{{detection.agent}}"', //                    12 unknown field
        '    when: { any: [ { step: zz, status: succeeded } ] }', //          13 unknown step
        '    headers: { Authorization: "Bearer sk-live-123" }', //           14 literal secret
        '---',
        'kind: playbook', //                                                  16
        'id: p', //                                                           17 duplicate playbook
        'name: P again',
        'steps: [ { id: x, type: snapshot_evidence } ]',
      ].join('\n'),
    );
    assert.deepEqual(l.problems, [
      "p.yaml:17:5: error: id: playbook 'p' is already defined at p.yaml:1",
      "p.yaml:5:42: error: steps[0].provider: no provider 'gateway' (kind: provider documents: none)",
      "p.yaml:6:11: error: steps[1].id: step 'a' is already defined in playbook p",
      "p.yaml:9:19: error: when.step: step 'c' does not come before this one",
      "p.yaml:13:28: error: when.step: no step 'zz' in this playbook",
      'p.yaml:14:31: error: header Authorization: credentials come from the environment ({{env.NAME}}), never written in playbook files',
      "p.yaml:12:10: error: {{detection.agent}}: detection has no field 'agent' (detection_id, rule_id, rule_version, severity, ts, detected_at, tenant, agent_id, session_id, key_id, user_id, group_key, event_ids, window_start, window_end, summary, tags, playbooks, suppressed_count)",
    ]);
  });

  test("rules' playbooks: naming a playbook that does not exist is a warning at the rule", () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-pb-'));
    mkdirSync(join(dir, 'playbooks'));
    writeFileSync(join(dir, 'r.yaml'), 'kind: rule\nid: r1\nname: R\nversion: 1\nseverity: high\nmatch: { kind: prompt }\nplaybooks: [contain_agent, nope]\n');
    writeFileSync(join(dir, 'playbooks', 'p.yaml'), 'kind: playbook\nid: contain_agent\nname: C\nsteps: [ { id: s, type: snapshot_evidence } ]\n');
    const l = loadPlaybooks(playbookDirsOf([dir]), { ruleDirs: [dir] });
    assert.equal(l.problems.length, 1);
    assert.match(formatProblem(l.problems[0]!), /r\.yaml:7:28: warning: playbooks\[1\]: no playbook 'nope' \(rule r1\)$/);
  });
});

describe('matching', () => {
  const set = load(
    [
      'kind: playbook\nid: by_rule\nname: R\nmatch: { rules: ["rw.abuse.key_*"] }\nsteps: [ { id: s, type: snapshot_evidence } ]',
      'kind: playbook\nid: by_tag\nname: T\nmatch: { tags: ["owasp.llm0*"], severity: ">= high" }\nsteps: [ { id: s, type: snapshot_evidence } ]',
      'kind: playbook\nid: by_field\nname: F\nmatch: { fields: { tenant: [acme, beta], agent_id: { exists: true } } }\nsteps: [ { id: s, type: snapshot_evidence } ]',
      'kind: playbook\nid: named\nname: N\nsteps: [ { id: s, type: snapshot_evidence } ]',
      'kind: playbook\nid: off\nname: O\nenabled: false\nmatch: {}\nsteps: [ { id: s, type: snapshot_evidence } ]',
      'kind: playbook\nid: fallback\nname: Fb\nfallback: true\nmatch: { severity: [low, medium] }\nsteps: [ { id: s, type: snapshot_evidence } ]',
    ].join('\n---\n'),
  ).set;
  const ids = (d: Detection) => matchPlaybooks(set.playbooks, d).map((m) => m.playbook.id);

  test('severity comparators', () => {
    assert.deepEqual(parseSeverityComparator('>= high'), ['high', 'critical']);
    assert.deepEqual(parseSeverityComparator('< high'), ['low', 'medium']);
    assert.deepEqual(parseSeverityComparator('critical'), ['critical']);
    assert.deepEqual(parseSeverityComparator('>medium'), ['high', 'critical']);
    assert.equal(parseSeverityComparator('>= severe'), null);
  });

  test('rule globs, tags with a severity, fields, names from the rule, disabled and fallback playbooks', () => {
    assert.deepEqual(ids(detection({ rule_id: 'rw.abuse.key_many_ips' })), ['by_rule']);
    assert.deepEqual(ids(detection({ tags: ['owasp.llm01'], severity: 'critical' })), ['by_tag']);
    assert.deepEqual(ids(detection({ tags: ['owasp.llm01'], severity: 'medium' })), ['fallback']);
    assert.deepEqual(ids(detection({ tenant: 'acme', agent_id: 'a1' })), ['by_field']);
    assert.deepEqual(ids(detection({ tenant: 'acme' })), []);
    assert.deepEqual(ids(detection({ playbooks: ['named', 'off'], rule_id: 'rw.abuse.key_x' })), ['named', 'by_rule']);
    const why = matchPlaybooks(set.playbooks, detection({ tags: ['owasp.llm02'], severity: 'high' }))[0]!.reasons;
    assert.deepEqual(why, ['tags match owasp.llm0*', 'severity high is one of high, critical']);
  });
});

describe('the step state machine', () => {
  const pb = playbook(`
kind: playbook
id: p
name: P
steps:
  - { id: approve, type: require_approval, timeout: 10m, on_error: continue }
  - { id: quarantine, type: quarantine_agent, duration: 1h, when: { step: approve, status: approved } }
  - { id: page, type: notify, url: "https://h.example/x", when: { step: approve, status: [rejected] } }
  - id: revoke
    type: revoke_key
    provider: registry
    when: { severity: ">= critical" }
    on_error: retry
    retry: { attempts: 4, backoff: { initial: 1s, factor: 3, max: 5s } }
  - { id: notify, type: notify, url: "https://h.example/y", on_error: continue }
  - { id: last, type: snapshot_evidence }
---
kind: provider
id: registry
type: registry
`);
  const d = detection({ severity: 'critical', agent_id: 'a1', key_id: 'k1' });
  const step = (h: StepRecord[]) => {
    const n = nextStep(pb, d, h);
    return n.action === 'done' ? `done ${n.result}${n.reason ? `: ${n.reason}` : ''}` : n.action === 'run' ? `run ${n.step.id} #${n.attempt} +${n.delay_ms}` : `${n.action} ${n.step.id}`;
  };

  test('when: on an earlier step, skip, wait, then retry with backoff until abort', () => {
    assert.equal(step([]), 'run approve #1 +0');
    assert.equal(step([{ step: 'approve', status: 'awaiting_approval' }]), 'wait approve');
    const approved: StepRecord[] = [{ step: 'approve', status: 'approved' }];
    assert.equal(step(approved), 'run quarantine #1 +0');
    const quarantined: StepRecord[] = [...approved, { step: 'quarantine', status: 'succeeded' }];
    assert.equal(step(quarantined), 'skip page');
    const h: StepRecord[] = [...quarantined, { step: 'page', status: 'skipped' }];
    assert.equal(step(h), 'run revoke #1 +0');
    h.push({ step: 'revoke', status: 'failed' });
    assert.equal(step(h), 'run revoke #2 +1000');
    h.push({ step: 'revoke', status: 'failed' });
    assert.equal(step(h), 'run revoke #3 +3000');
    h.push({ step: 'revoke', status: 'failed' });
    assert.equal(step(h), 'run revoke #4 +5000'); // 9s, capped at max 5s
    h.push({ step: 'revoke', status: 'failed', reason: 'HTTP 503' });
    assert.equal(step(h), 'done aborted: step revoke failed 4 time(s): HTTP 503');
  });

  test('on_error: continue goes on, and the failure stays visible to later when:', () => {
    // A rejected approval is the approval step's error; its on_error: continue goes on.
    const h: StepRecord[] = [{ step: 'approve', status: 'rejected' }];
    assert.equal(step(h), 'skip quarantine');
    h.push({ step: 'quarantine', status: 'skipped' });
    assert.equal(step(h), 'run page #1 +0');
    h.push({ step: 'page', status: 'succeeded' }, { step: 'revoke', status: 'succeeded' }, { step: 'notify', status: 'failed' });
    assert.equal(step(h), 'run last #1 +0');
    h.push({ step: 'last', status: 'succeeded' });
    assert.equal(step(h), 'done completed');
  });

  test('on_error: abort (the default) ends the run at the failed step', () => {
    const h: StepRecord[] = [{ step: 'approve', status: 'approved' }, { step: 'quarantine', status: 'failed' }];
    assert.equal(step(h), 'done aborted: step quarantine failed');
  });

  test('backoff values and retry.then: continue', () => {
    const retry = { attempts: 5, backoff: { initial: 500, factor: 2, max: 3000 }, then: 'continue' as const };
    assert.deepEqual([1, 2, 3, 4, 5].map((a) => backoffDelay(retry, a)), [0, 500, 1000, 2000, 3000]);
    const p = playbook('kind: playbook\nid: p\nname: P\nsteps:\n  - { id: n, type: notify, url: "https://x", on_error: retry, retry: { attempts: 2, then: continue } }\n  - { id: s, type: snapshot_evidence }');
    const n = nextStep(p, d, [{ step: 'n', status: 'failed' }, { step: 'n', status: 'failed' }]);
    assert.equal(n.action === 'run' && n.step.id, 's');
  });
});

describe('safety and dry-run', () => {
  const text = `
kind: playbook
id: p
name: P
match: {}
steps:
  - { id: q, type: quarantine_agent, duration: 1h }
  - { id: b, type: block_session }
  - { id: r, type: revoke_key, provider: gw }
  - { id: s, type: snapshot_evidence }
---
kind: provider
id: gw
type: http
method: DELETE
url: "{{env.GW_URL}}/key/{{detection.key_id}}"
headers: { Authorization: "Bearer {{env.GW_TOKEN}}" }
`;
  const set = load(text).set;
  const d = detection({ agent_id: 'ops-bot', session_id: 's1', key_id: 'k/1' });
  const statuses = (safety: object, recent = { revocations: 0, quarantines: 0 }, dryRun: 'as_configured' | 'force' = 'as_configured') => {
    const run = planDetection(set, d, { safety: SafetyDoc.parse({ kind: 'safety', ...safety }), recent, dryRun })[0]!;
    return Object.fromEntries(run.steps.map((s) => [s.id, `${s.status}${s.reason ? `: ${s.reason}` : ''}`]));
  };

  test('protected agents and keys are skipped with the reason', () => {
    assert.deepEqual(statuses({ protected_agents: ['ops-*'], protected_keys: ['k/*'] }), {
      q: 'skipped: protected agent ops-bot', b: 'skipped: session of protected agent ops-bot', r: 'skipped: protected key k/1', s: 'succeeded',
    });
  });

  test('blast radius caps, given the actions of the last hour', () => {
    assert.deepEqual(statuses({ max_revocations_per_hour: 3, max_quarantines_per_hour: 1 }, { revocations: 3, quarantines: 0 }), {
      q: 'succeeded', b: 'succeeded', r: 'skipped: blast radius cap: 3 revocation(s) in the last hour (max 3)', s: 'succeeded',
    });
  });

  test('dry-run (global, per playbook, forced) records what each side-effect step would do, secrets redacted', () => {
    const expected = { q: 'dry_run', b: 'dry_run', r: 'dry_run', s: 'succeeded' };
    assert.deepEqual(statuses({ dry_run: true }), expected);
    assert.deepEqual(statuses({}, undefined, 'force'), expected);
    const perPlaybook = load(text.replace('match: {}', 'match: {}\ndry_run: true')).set;
    const run = planDetection(perPlaybook, d, { safety: DEFAULT_SAFETY })[0]!;
    assert.equal(run.dry_run, true);
    assert.deepEqual(run.steps.map((s) => s.detail), [
      'would quarantine agent ops-bot for 1h, then release',
      'would block session s1',
      'would revoke key k/1 through gw: DELETE {{env.GW_URL}}/key/k%2F1',
      'snapshot the evidence events and 5m of context',
    ]);
  });

  test('a step without its target is skipped; a rate-limited playbook does not run', () => {
    const decision = decideStep(set.playbooks[0]!.doc.steps[0]!, detection(), {
      playbook: set.playbooks[0]!.doc, safety: DEFAULT_SAFETY, providers: new Map(), recent: { revocations: 0, quarantines: 0 }, env: {},
    });
    assert.deepEqual(decision, { kind: 'skipped', reason: 'no agent_id to act on' });
    const safety = SafetyDoc.parse({ kind: 'safety', rate_limit: { playbooks: { p: { max: 2, per: '1h' } } } });
    const [run] = planDetection(set, d, { safety, runsWithin: (id, ms) => (id === 'p' && ms === 3_600_000 ? 2 : 0) });
    assert.equal(run!.result, 'rate_limited');
    assert.equal(run!.reason, 'rate limit: 2 run(s) within 3600s (max 2)');
  });
});

describe('templates', () => {
  const d = detection({ key_id: 'k 1/"x"&y', summary: 'said "hi"\n<@here>', tags: ['a', 'b'] });
  const ctx = { detection: d, env: { GW_URL: 'https://gw.example', TOKEN: 's3cret' } };

  test('URL parts are encoded (the leading base URL is not), JSON strings escaped, text left alone', () => {
    assert.equal(renderTemplate('{{env.GW_URL}}/key/{{detection.key_id}}?t={{detection.tags}}', ctx, 'url'), 'https://gw.example/key/k%201%2F%22x%22%26y?t=a%2Cb');
    assert.equal(renderTemplate('{"key": "{{detection.key_id}}", "s": "{{detection.summary}}"}', ctx, 'json'), '{"key": "k 1/\\"x\\"&y", "s": "said \\"hi\\"\\n<@here>"}');
    assert.equal(JSON.parse(renderTemplate('{"s": "{{detection.summary}}"}', ctx, 'json')).s, d.summary);
    assert.equal(renderTemplate('{{detection.key_id | raw}}', ctx, 'url'), d.key_id);
    assert.deepEqual(JSON.parse(renderJsonBody({ id: '{{detection.key_id}}', n: 1, list: ['{{detection.severity}}'] }, ctx)), { id: d.key_id, n: 1, list: ['high'] });
  });

  test('a missing env secret is an error that names the variable, never a value', () => {
    assert.throws(() => renderTemplate('Bearer {{env.GATEWAY_ADMIN_TOKEN}}', ctx, 'text'), (err: Error & { code: string }) => {
      assert.equal(err.code, 'RW_ERR_PLAYBOOK_TEMPLATE');
      assert.equal(err.message, '{{env.GATEWAY_ADMIN_TOKEN}}: environment variable GATEWAY_ADMIN_TOKEN is not set');
      return true;
    });
    assert.equal(renderTemplate('Bearer {{env.GATEWAY_ADMIN_TOKEN}}', ctx, 'text', { secrets: 'redact' }), 'Bearer {{env.GATEWAY_ADMIN_TOKEN}}');
  });

  test('an HTTP provider request: method, URL, headers and body from templates', () => {
    const { set } = load('kind: provider\nid: gw\ntype: http\nmethod: POST\nurl: "{{env.GW_URL}}/key/delete"\nheaders: { Authorization: "Bearer {{env.TOKEN}}" }\nbody: { keys: ["{{detection.key_id}}"] }');
    const p = set.providers[0]!.doc;
    assert.equal(p.type, 'http');
    if (p.type !== 'http') return;
    assert.deepEqual(revokeRequest(p, ctx), {
      method: 'POST', url: 'https://gw.example/key/delete', headers: { Authorization: 'Bearer s3cret', 'Content-Type': 'application/json' }, body: JSON.stringify({ keys: [d.key_id] }),
    });
  });
});

describe('signed notify bodies', () => {
  const pb = playbook('kind: playbook\nid: p\nname: P\nsteps:\n  - { id: n, type: notify, url: "{{env.HOOK}}", format: slack, secret_env: SIGNING }');
  const step = pb.steps[0]!;
  assert.equal(step.type, 'notify');
  const d = detection({ summary: 'a <b> & c', rule_id: 'rw.r' });
  const now = 1_700_000_000_000;
  const req = step.type === 'notify' ? notifyRequest(step, { detection: d, env: { HOOK: 'https://hooks.slack.example/T/B/x', SIGNING: 'whsec' } }, now) : undefined!;

  test('a Slack-compatible payload, escaped', () => {
    assert.equal(req.url, 'https://hooks.slack.example/T/B/x');
    assert.deepEqual(JSON.parse(req.body!), { text: '[runwatch] high rw.r: a &lt;b&gt; &amp; c' });
  });

  test('a receiver verifies it the way the docs say', () => {
    const ts = req.headers['X-Runwatch-Timestamp']!;
    const sig = req.headers['X-Runwatch-Signature']!;
    // By hand, as rules/playbooks/README.md tells a receiver: HMAC-SHA256 over "<timestamp>.<raw body>".
    const expected = Buffer.from(`sha256=${createHmac('sha256', 'whsec').update(`${ts}.${req.body}`).digest('hex')}`);
    assert.ok(timingSafeEqual(Buffer.from(sig), expected));
    assert.deepEqual(verifySignature({ body: req.body!, secret: 'whsec', timestamp: ts, signature: sig, nowMs: now + 1000 }), { ok: true });
    assert.equal(verifySignature({ body: req.body! + ' ', secret: 'whsec', timestamp: ts, signature: sig, nowMs: now }).ok, false);
    assert.deepEqual(verifySignature({ body: req.body!, secret: 'whsec', timestamp: ts, signature: sig, nowMs: now + 10 * 60_000 }), { ok: false, reason: 'timestamp outside the tolerance (replay?)' });
    const other = signBody(req.body!, 'whsec', now + 60_000);
    assert.equal(verifySignature({ body: req.body!, secret: 'whsec', timestamp: ts, signature: other['X-Runwatch-Signature'], nowMs: now }).ok, false);
  });
});

describe('the default playbooks', () => {
  const { set, problems } = loadPlaybooks(playbookDirsOf([RULES]), { ruleDirs: [RULES] });

  test('lint clean, and every rule naming a playbook names one that exists', () => {
    assert.deepEqual(problems.map(formatProblem), []);
  });

  test('their playbook_test documents pass', () => {
    const results = runPlaybookTests(set);
    assert.ok(results.length >= 8);
    assert.deepEqual(results.filter((r) => !r.passed), []);
  });

  test('critical + agent: quarantine 1h and notify; key abuse: revoke in the registry and notify; high: notify; medium, low: record only', () => {
    const plan = (over: Partial<Detection>) =>
      planDetection(set, detection(over), { dryRun: 'ignore' }).map((r) => `${r.playbook_id}: ${r.steps.map((s) => `${s.id}=${s.status}`).join(' ')}`);
    assert.deepEqual(plan({ rule_id: 'rw.chain.injection_then_action', severity: 'critical', agent_id: 'a1', playbooks: ['contain_agent'] }), [
      'contain_agent: quarantine=succeeded snapshot=succeeded notify=succeeded',
    ]);
    assert.match(planDetection(set, detection({ severity: 'critical', agent_id: 'a1' }), { dryRun: 'force' })[0]!.steps[0]!.detail!, /quarantine agent a1 for 1h/);
    assert.deepEqual(plan({ rule_id: 'rw.abuse.key_many_ips', severity: 'high', key_id: 'fp:1', playbooks: ['revoke_key'] }), [
      'revoke_key: revoke=succeeded snapshot=succeeded notify=succeeded',
    ]);
    assert.match(planDetection(set, detection({ rule_id: 'rw.hunt.key_token_spike', key_id: 'fp:1' }), { dryRun: 'force' })[0]!.steps[0]!.detail!, /registry/);
    assert.deepEqual(plan({ rule_id: 'rw.data.secret_in_output', severity: 'high' }), ['notify_high: notify=succeeded']);
    assert.deepEqual(plan({ severity: 'medium', agent_id: 'a1' }), []);
    assert.deepEqual(plan({ severity: 'low' }), []);
  });
});

test('the YAML documents of rules/playbooks/README.md load, and its providers lint clean', () => {
  const readme = readFileSync(join(RULES, 'playbooks', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```yaml\n(kind:[\s\S]*?)```/g)].map((m) => m[1]!);
  assert.ok(blocks.length >= 6);
  for (const block of blocks) {
    const l = loadPlaybookText(block, 'README.md');
    assert.deepEqual(l.problems.map(formatProblem), [], block);
    if (block.includes('kind: provider')) assert.deepEqual(lintPlaybookSet(l.set).map(formatProblem), [], block);
  }
});

describe('runwatch playbooks lint|test|plan', () => {
  const dirs = { dirs: playbookDirsOf([RULES]), ruleDirs: [RULES] };

  test('the default playbooks: lint and test exit 0', () => {
    const a = io();
    assert.equal(lintPlaybooks(dirs, a.io), 0);
    assert.match(a.out[0]!, /: 0 error\(s\), 0 warning\(s\)$/);
    const b = io();
    assert.equal(testPlaybooks(dirs, b.io), 0, b.out.join('\n'));
    assert.match(b.out.at(-1)!, /^\d+ passed, 0 failed$/);
  });

  test('a broken file: lint exits 1 with file:line:col; a failing test exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-pb-cli-'));
    writeFileSync(join(dir, 'bad.yaml'), 'kind: playbook\nid: p\nname: P\nsteps:\n  - { id: r, type: revoke_key, provider: nope }\n');
    const a = io();
    assert.equal(lintPlaybooks({ dirs: [dir], ruleDirs: [] }, a.io), 1);
    assert.match(a.err[0]!, /bad\.yaml:5:42: error: steps\[0\]\.provider: no provider 'nope'/);
    const b = io();
    assert.equal(testPlaybooks({ dirs: [dir], ruleDirs: [] }, b.io), 1);

    const dir2 = mkdtempSync(join(tmpdir(), 'rw-pb-cli-'));
    writeFileSync(join(dir2, 'p.yaml'), 'kind: playbook\nid: p\nname: P\nmatch: { severity: critical }\nsteps: [ { id: s, type: snapshot_evidence } ]\n---\nkind: playbook_test\nid: t\ndetection: { rule_id: r, severity: high }\nexpect: [ { playbook: p } ]\n');
    const c = io();
    assert.equal(testPlaybooks({ dirs: [dir2], ruleDirs: [] }, c.io), 1);
    assert.match(c.out[0]!, /^FAIL t \(.*p\.yaml:7\)$/);
    assert.deepEqual(c.out.slice(1), ['       playbooks: expected [p], planned []', '0 passed, 1 failed']);
  });

  test('plan prints the playbooks and steps a detection would start, dry', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rw-pb-plan-'));
    const file = join(dir, 'd.json');
    writeFileSync(file, JSON.stringify({ rule_id: 'rw.chain.injection_then_action', severity: 'critical', agent_id: 'a1' }));
    const a = io();
    assert.equal(planPlaybooks(dirs, file, {}, a.io), 0);
    assert.deepEqual(a.out.slice(0, 2), ['playbook contain_agent: completed', '  because: severity critical is one of critical']);
    assert.match(a.out[2]!, /1\. quarantine \[quarantine_agent\] dry_run: would quarantine agent a1 for 1h/);
    writeFileSync(file, JSON.stringify({ severity: 'critical' }));
    const b = io();
    assert.equal(planPlaybooks(dirs, file, {}, b.io), 1);
    assert.match(b.err[0]!, /rule_id/);
  });
});
