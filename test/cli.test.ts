// The runwatch command as a user runs it: `runwatch up` serves 8700/8701 and the README's
// curl examples work as written; bad config stops start-up naming the key.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ENV_VARS } from '../services/shared/config/env.js';
import { fingerprintSecret } from '../services/shared/events/key-fingerprint.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';

const BIN = join(PROJECT_ROOT, 'bin', 'runwatch.js');
const README = readFileSync(join(PROJECT_ROOT, 'README.md'), 'utf8');

function runwatch(args: string[], env: Record<string, string> = {}, input?: string) {
  return spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, input, encoding: 'utf8', timeout: 30_000 });
}

/** The README's bash blocks that call the collector, each with the answer its last comment line promises. */
function readmeCurlExamples(): Array<{ script: string; expected: unknown }> {
  const blocks = [...README.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .filter((b) => b.includes('curl') && b.includes('127.0.0.1:8700/v1/events'))
    .map((b) => {
      const lines = b.trimEnd().split('\n');
      const answer = lines.pop()!;
      assert.match(answer, /^# \{/, 'each curl example ends with the answer as a comment');
      return { script: lines.join('\n'), expected: JSON.parse(answer.slice(2)) };
    });
}

describe('runwatch up', () => {
  let child: ChildProcess;
  let collectorUrl = '';
  let apiUrl = '';
  let stderr = '';
  let stdout = '';

  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rw-up-'));
    child = spawn(process.execPath, [BIN, 'up'], {
      env: { ...process.env, RUNWATCH_DATA_DIR: dataDir, RUNWATCH_COLLECTOR_PORT: '0', RUNWATCH_API_PORT: '0', KAFKA_BROKERS: '', CLICKHOUSE_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`runwatch up did not start in 60 s:\n${out}\n${stderr}`)), 60_000);
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        stdout += d.toString();
        for (const line of out.split('\n')) {
          if (!line.includes('"runwatch is up"')) continue;
          const entry = JSON.parse(line) as { collector: string; api: string };
          collectorUrl = entry.collector;
          apiUrl = entry.api;
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`runwatch up exited with ${code}:\n${out}\n${stderr}`)));
    });
  });

  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  test('serves the collector and the operator API, each with /healthz and /metrics', async () => {
    for (const url of [collectorUrl, apiUrl]) {
      const health = await fetch(`${url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(((await health.json()) as { status: string }).status, 'ok');
      assert.match(await (await fetch(`${url}/metrics`)).text(), /runwatch_process_cpu_seconds_total/);
    }
    const health = (await (await fetch(`${apiUrl}/healthz`)).json()) as { bus: string; store: string };
    assert.deepEqual([health.bus, health.store], ['memory', 'chdb']);
  });

  test("the README's curl examples work as written and answer what the README says", () => {
    const examples = readmeCurlExamples();
    assert.ok(examples.length >= 3, 'README has its curl examples');
    const port = new URL(collectorUrl).port;
    for (const { script, expected } of examples) {
      const result = spawnSync('bash', ['-c', script.replaceAll('127.0.0.1:8700', `127.0.0.1:${port}`)], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(result.status, 0, result.stderr);
      assert.deepEqual(JSON.parse(result.stdout), expected, script);
    }
  });

  test("the README's attack example is detected: injection in a document, then the email (critical)", async () => {
    const deadline = Date.now() + 10_000;
    while (!/"rule":"rw\.chain\.injection_then_action".*"severity":"critical"/.test(stdout) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(stdout, /"rule":"rw\.indirect\.retrieval"/);
    assert.match(stdout, /"rule":"rw\.chain\.injection_then_action","severity":"critical"/);
  });

  test('the operator API serves the attack as evidence: the critical detection and its timeline in order', async () => {
    let detections: Array<{ detection_id: string; rule_id: string; event_ids: string[] }> = [];
    for (let i = 0; i < 100 && detections.length === 0; i++) {
      detections = (await (await fetch(`${apiUrl}/v1/detections?severity=critical`)).json()) as typeof detections;
      if (detections.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(detections.length, 1);
    assert.equal(detections[0]!.rule_id, 'rw.chain.injection_then_action');
    const timeline = (await (await fetch(`${apiUrl}/v1/detections/${detections[0]!.detection_id}/timeline`)).json()) as Array<{ event_id: string; kind: string }>;
    assert.deepEqual(timeline.map((e) => e.kind), ['retrieval', 'tool_call']);
    assert.deepEqual(new Set(timeline.map((e) => e.event_id)), new Set(detections[0]!.event_ids));
    const events = (await (await fetch(`${apiUrl}/v1/events?limit=1000`)).json()) as unknown[];
    assert.ok(events.length >= timeline.length);
  });

  test("the attack's agent is quarantined: /v1/check denies its next tool call until an operator releases it", async () => {
    const check = async () => {
      const res = await fetch(`${collectorUrl}/v1/check`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ agent_id: 'travel-agent', session_id: 's-8', kind: 'tool_call', tool_call: { name: 'search_flights', arguments: {} } }),
      });
      assert.equal(res.status, 200);
      return (await res.json()) as { verdict: string; reasons: Array<{ type: string; subject: string }> };
    };
    let verdict = await check();
    for (let i = 0; i < 100 && verdict.verdict !== 'deny'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      verdict = await check();
    }
    assert.equal(verdict.verdict, 'deny');
    assert.deepEqual(verdict.reasons.map((r) => [r.type, r.subject]), [['quarantined_agent', 'travel-agent']]);
    assert.match(stdout, /"msg":"containment: quarantine agent travel-agent for 1h, then release"/);
    const held = (await (await fetch(`${apiUrl}/v1/containment`)).json()) as Array<{ subject_id: string; state: string }>;
    assert.deepEqual(held.map((c) => [c.subject_id, c.state]), [['travel-agent', 'quarantined']]);
    const release = await fetch(`${apiUrl}/v1/containment/agents/travel-agent`, { method: 'DELETE' });
    assert.equal(release.status, 200);
    for (let i = 0; i < 50 && verdict.verdict !== 'allow'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      verdict = await check();
    }
    assert.equal(verdict.verdict, 'allow');
  });

  test('stops cleanly on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
  });
});

describe('logs', () => {
  test('no token, password or raw key reaches a log line, even at trace level', async () => {
    const token = 'tok-acme-7f3c9a1b2d4e6f80';
    const secret = 'sk-proj-' + 'LeakMe0123456789'.repeat(2);
    const child = spawn(process.execPath, [BIN, 'up'], {
      env: {
        ...process.env,
        RUNWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'rw-logs-')),
        RUNWATCH_COLLECTOR_PORT: '0',
        RUNWATCH_API_PORT: '0',
        RUNWATCH_LOG_LEVEL: 'trace',
        RUNWATCH_COLLECTOR_TOKENS: `acme:${token}`,
        RUNWATCH_CLICKHOUSE_PASSWORD: 'ch-password-hidden',
        KAFKA_BROKERS: '',
        CLICKHOUSE_URL: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /"collector":"(http:[^"]+)"/.exec(out);
        if (m) {
          clearInterval(timer);
          resolve(m[1]!);
        }
      }, 50);
      child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    const body = JSON.stringify([{ kind: 'output', output: { text: 'x' }, key_id: secret }, { kind: 'bad', key_id: secret }]);
    const ok = await fetch(`${url}/v1/events`, { method: 'POST', body, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
    assert.equal(ok.status, 207);
    const denied = await fetch(`${url}/v1/events`, { method: 'POST', body, headers: { authorization: `Bearer ${token}x`, 'content-type': 'application/json' } });
    assert.equal(denied.status, 401);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    assert.match(out, /runwatch is up/);
    for (const s of [token, secret, 'ch-password-hidden']) assert.ok(!out.includes(s), `log output contains ${s}`);
  });
});

describe('runwatch command line', () => {
  test('a bad config value stops start-up with a message naming the key', () => {
    const result = runwatch(['up'], { RUNWATCH_COLLECTOR_PORT: 'eighty', RUNWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'rw-bad-')) });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /config: collector\.port \(env RUNWATCH_COLLECTOR_PORT\): expected a number, got "eighty"/);
  });

  test('--help works for every subcommand', () => {
    for (const sub of ['up', 'collector', 'detector', 'evidence', 'responder', 'config', 'key']) {
      const result = runwatch([sub, '--help']);
      assert.equal(result.status, 0, `${sub}: ${result.stderr}`);
      assert.match(result.stdout, /Usage: runwatch/);
    }
  });

  test('hashing PII without a key stops start-up naming the key to set', () => {
    const result = runwatch(['evidence'], { RUNWATCH_EVIDENCE_PII: 'hash', RUNWATCH_DATA_DIR: mkdtempSync(join(tmpdir(), 'rw-hash-')) });
    assert.equal(result.status, 1);
    assert.match(result.stderr, /evidence\.redaction\.hash_key.*RUNWATCH_EVIDENCE_HASH_KEY/);
  });

  test('`runwatch config` prints the configuration with secrets hidden', () => {
    const result = runwatch(['config'], { RUNWATCH_COLLECTOR_TOKENS: 'acme:super-secret-token-123', RUNWATCH_CLICKHOUSE_PASSWORD: 'pw-hidden' });
    assert.equal(result.status, 0, result.stderr);
    assert.ok(!result.stdout.includes('super-secret-token-123') && !result.stdout.includes('pw-hidden'));
    assert.equal((JSON.parse(result.stdout) as { collector: { tokens: Array<{ tenant: string }> } }).collector.tokens[0]!.tenant, 'acme');
  });

  test('`runwatch key fingerprint` reads the key from stdin', () => {
    const secret = 'sk-proj-' + 'Q'.repeat(20) + 'w1x2y3';
    const result = runwatch(['key', 'fingerprint'], {}, `${secret}\n`);
    assert.equal(result.stdout.trim(), fingerprintSecret(secret, 'openai'));
  });

  test('the README documents every environment variable runwatch reads', () => {
    for (const v of ENV_VARS) assert.ok(README.includes(`\`${v.name}\``), `README lacks ${v.name}`);
  });
});
