// Scheduled hunts: lint points at mistakes; a run over seeded evidence finds the spiking key
// once, with the documented id, and every later run of the window finds the same id (stored
// once, even from a second scheduler); queries are read-only and bound; the schedule starts
// enabled hunts only and leaves no timer behind.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { getTasks } from 'node-cron';
import { huntOnce, lintRules } from '../services/cli/commands/rules.js';
import { HuntQueryError } from '../services/evidence/hunts/errors.js';
import { HuntScheduler, type HuntOutcome } from '../services/evidence/hunts/scheduler.js';
import { insertOnce } from '../services/evidence/inserter.js';
import { evidenceEvents } from '../services/evidence/read.js';
import { eventRow } from '../services/evidence/rows.js';
import { EvidenceWriter } from '../services/evidence/writer.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus, BusMessage } from '../services/shared/bus/types.js';
import type { Config } from '../services/shared/config/schema.js';
import { createDetectorRegistry } from '../services/shared/detectors/registry.js';
import { parseEvent } from '../services/shared/events/normalize.js';
import type { TelemetryEvent } from '../services/shared/events/schema.js';
import { createLogger, type Logger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { decodeRecord, type Detection } from '../services/shared/records.js';
import { detectionId, formatProblem, loadPackText, RuleEngine } from '../services/shared/rules/index.js';
import { openStore, type Store } from '../services/shared/store/clickhouse.js';
import { waitFor } from './support/bus-contract.js';
import { openTestStore } from './support/evidence.js';
import { ruleDir } from './support/rule-pack.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Yesterday, noon UTC: in the past (retention never touches it), mid-way through a 1d window. */
const NOW = Math.floor(Date.now() / DAY) * DAY - 12 * HOUR;
const WINDOW_START = Math.floor(NOW / DAY) * DAY;
const DEFAULT_PACK = join(PROJECT_ROOT, 'rules');
const EXAMPLE = 'rw.hunt.key_token_spike';

/** An output event of `key` in `tenant` at `ts` that spent `tokens`. */
function output(tenant: string, key: string, ts: number, tokens: number): TelemetryEvent {
  const parsed = parseEvent(
    { event_id: `ev-${randomUUID()}`, ts, tenant, key_id: key, agent_id: `agent-${key}`, kind: 'output', output: { text: 'ok', usage: { input_tokens: tokens - Math.min(tokens, 100), output_tokens: Math.min(tokens, 100) } } },
    { receivedAt: ts, tenant: null },
  );
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.error);
  return parsed.event;
}

/**
 * acme/key-spike: 1 000 tokens a day for 7 days, then 80 000 in the last day (80x).
 * acme/key-steady: 5 000 a day, then 6 000. acme/key-new: no history, then 100 000.
 * globex/key-spike: the same key id in another tenant, steady: baselines stay per tenant.
 */
function seedEvents(): { all: TelemetryEvent[]; spike: TelemetryEvent[] } {
  const all: TelemetryEvent[] = [];
  const spike: TelemetryEvent[] = [];
  const since = NOW - DAY;
  for (let day = 1; day <= 7; day++) {
    const at = since - day * DAY + 6 * HOUR;
    all.push(output('acme', 'key-spike', at, 500), output('acme', 'key-spike', at + HOUR, 500));
    all.push(output('acme', 'key-steady', at, 5000));
    all.push(output('globex', 'key-spike', at, 80_000));
  }
  for (let i = 0; i < 20; i++) spike.push(output('acme', 'key-spike', since + HOUR + i * 60_000, 4000));
  all.push(...spike, output('acme', 'key-steady', since + 2 * HOUR, 6000), output('acme', 'key-new', since + 3 * HOUR, 100_000));
  all.push(output('globex', 'key-spike', since + 4 * HOUR, 80_000));
  // Outside the range of every run of the tests (up to NOW + 30m) on both ends: must not count.
  all.push(output('acme', 'key-steady', NOW + HOUR, 900_000), output('acme', 'key-steady', since - 8 * DAY - HOUR, 900_000));
  return { all, spike };
}

/** Log lines at warn and above, parsed, for the assertions on what an operator sees. */
function capturingLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = createLogger({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { log, lines };
}

async function detectionsOnBus(bus: Bus): Promise<Detection[]> {
  const got: BusMessage[] = [];
  const sub = await bus.consume({ groupId: `read-${randomUUID()}`, topics: [TOPICS.detections], fromBeginning: true, eachBatch: async (b) => void got.push(...b.messages) });
  await new Promise((r) => setTimeout(r, 150));
  await sub.stop();
  return got.map((m) => decodeRecord('Detection', m.value!));
}

async function count(store: Store, table: string): Promise<number> {
  const r = await store.client.query({ query: 'SELECT count() AS n FROM {db:Identifier}.{t:Identifier}', query_params: { db: store.database, t: table }, format: 'JSONEachRow' });
  return Number((await r.json<{ n: string }>())[0]!.n);
}

function ok(outcome: HuntOutcome): Extract<HuntOutcome, { status: 'ok' }> {
  assert.equal(outcome.status, 'ok', outcome.status === 'failed' ? outcome.error.message : outcome.status);
  return outcome as Extract<HuntOutcome, { status: 'ok' }>;
}

const HUNT = (id: string, extra: string) => `kind: hunt
id: ${id}
name: Test hunt ${id}
version: 2
severity: medium
schedule: "0 * * * *"
lookback: 1d
by: [key_id]
${extra}`;

describe('hunt documents', () => {
  const registry = createDetectorRegistry();
  const load = (text: string) => loadPackText(text, registry, 'hunts.yaml');

  test('a valid hunt loads as a hunt, not a rule, with its dedup window defaulting to the lookback', () => {
    const { pack, problems } = load(HUNT('t.ok', `query: SELECT tenant, key_id FROM {database:Identifier}.events WHERE ts >= {since:DateTime64(3)} AND key_id = {key:String}
params: { key: k1 }
summary: "Key {{key_id}}"
`));
    assert.deepEqual(problems.map(formatProblem), []);
    assert.equal(pack.rules.length, 0);
    assert.equal(pack.hunts.length, 1);
    assert.equal(pack.hunts[0]!.dedupWindowMs, DAY);
    assert.equal(pack.hunts[0]!.doc.timeout, 60_000);
    // The stream engine has nothing to do with it.
    const engine = new RuleEngine(pack, { detectors: registry });
    const e = output('acme', 'k1', NOW, 10);
    assert.deepEqual(engine.process(e), []);
  });

  test('a bad cron expression and an unknown field are errors at their line and column', () => {
    const text = `kind: hunt
id: t.bad
name: Bad
version: 1
severity: low
schedule: "*/15 * * *"
lookback: 1d
query: SELECT 1
by: [key_id]
querry: oops
`;
    const messages = load(text).problems.map(formatProblem);
    assert.ok(messages.includes('hunts.yaml:6:11: error: schedule: not a cron expression: expected 5 or 6 fields but got 4'), messages.join('\n'));
    assert.ok(messages.includes('hunts.yaml:10:1: error: querry: unknown field'), messages.join('\n'));
  });

  test('unbound query parameters, reserved or unused params, and summary fields that are not columns', () => {
    const problems = load(HUNT('t.params', `query: |
  SELECT tenant, key_id FROM {database:Identifier}.events
  WHERE ts >= {since:DateTime64(3)} AND input_tokens > {factr:Float64}
params: { factor: 5, until: 3 }
summary: "{{key_id}} in {{tool_call.name}}"
`)).problems.map(formatProblem);
    assert.deepEqual(problems, [
      'hunts.yaml:9:1: error: query: {factr:...} is not bound: add it to params (bound already: since, until, database)',
      "hunts.yaml:12:11: warning: params: 'factor' is not used by the query",
      "hunts.yaml:12:22: error: params: 'until' is bound by runwatch (since, until, database); choose another name",
      'hunts.yaml:13:1: error: summary: {{tool_call.name}} is not a column name (hunt summaries show the query\'s columns)',
    ]);
    const badName = load(HUNT('t.name', 'query: SELECT 1\nparams: { "Bad-Name": 1 }\n')).problems.map(formatProblem);
    assert.deepEqual(badName, ['hunts.yaml:10:11: error: params.Bad-Name: a parameter name: lowercase letters, digits and underscore']);
  });

  test('a hunt id that is also a rule id is an error; rule tests cannot expect a hunt', () => {
    const { problems } = load(`${HUNT('t.same', 'query: SELECT 1 FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)}\n')}---
kind: rule
id: t.same
name: Same id
version: 1
severity: low
match: { kind: output }
---
${HUNT('t.hunt', 'query: SELECT 1 FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)}\n')}---
kind: test
id: expects-a-hunt
events: [{ event: { kind: output, output: { text: hi } } }]
expect: [{ rule: t.hunt }]
`);
    const messages = problems.map((p) => p.message);
    assert.ok(messages.some((m) => /^hunt id 't.same' is also a rule id \(hunts.yaml:\d+\)$/.test(m)), messages.join('\n'));
    assert.ok(messages.includes("'t.hunt' is a hunt: rule tests feed events to stream rules (run a hunt with runwatch rules hunt)"), messages.join('\n'));
  });

  test('runwatch rules lint passes the default pack with its hunt', () => {
    const out: string[] = [];
    const code = lintRules([DEFAULT_PACK], { out: (l) => out.push(l), err: (l) => out.push(l) });
    assert.equal(code, 0, out.join('\n'));
  });
});

describe('hunt runs over stored evidence', () => {
  let seeded: Store;
  let config: Config;
  let spikeIds: string[];
  const stores: Store[] = [];

  /** A store of its own for a scheduler: what `runwatch evidence` and `up` open for hunts. */
  async function huntStore(): Promise<Store> {
    const s = await openStore(config);
    stores.push(s);
    return s;
  }

  function scheduler(store: Store, dirs: string[], bus: Bus = new MemoryBus(), log: Logger = createLogger({ level: 'silent' })) {
    return new HuntScheduler({ bus, store, log, registry: createRegistry({ processMetrics: false }), ruleDirs: dirs });
  }

  before(async () => {
    ({ store: seeded, config } = await openTestStore('hunts'));
    stores.push(seeded);
    const { all, spike } = seedEvents();
    await insertOnce(seeded, 'events', all.map((e) => eventRow(e, 0)));
    spikeIds = spike.map((e) => e.event_id);
  });
  after(async () => {
    for (const s of stores) await s.close().catch(() => {});
  });

  test('the example hunt finds the spiking key once: documented id, group key, severity, summary; on the bus', async () => {
    const bus = new MemoryBus();
    const hunts = scheduler(await huntStore(), [DEFAULT_PACK], bus);
    const run = ok(await hunts.runOnce(EXAMPLE, NOW));
    assert.equal(run.detections.length, 1, JSON.stringify(run.detections.map((d) => d.group_key)));
    const d = run.detections[0]!;
    const groupKey = 'acme\u0001key-spike';
    assert.equal(d.detection_id, detectionId(EXAMPLE, 1, groupKey, `window:${new Date(WINDOW_START).toISOString()}`));
    assert.equal(d.group_key, groupKey);
    assert.equal(d.rule_id, EXAMPLE);
    assert.equal(d.rule_version, 1);
    assert.equal(d.severity, 'high');
    assert.equal(d.tenant, 'acme');
    assert.equal(d.key_id, 'key-spike');
    assert.equal(d.agent_id, null);
    assert.equal(d.summary, 'Key key-spike used 80000 tokens in a day, 80x its 7-day daily average (1000)');
    assert.equal(d.ts, WINDOW_START);
    assert.equal(d.detected_at, NOW);
    assert.deepEqual([d.window_start, d.window_end], [NOW - DAY, NOW]);
    assert.equal(d.event_ids.length, 10);
    for (const id of d.event_ids) assert.ok(spikeIds.includes(id), `${id} is not a spike event`);
    assert.deepEqual(d.playbooks, ['revoke_key']);
    assert.ok(d.tags.includes('owasp.llm10'));
    assert.deepEqual(await detectionsOnBus(bus), [d]);
  });

  test('runs later in the same window find the same id; this process publishes it once, and the writer stores it once even from a second scheduler', async () => {
    const bus = new MemoryBus();
    const registry = createRegistry({ processMetrics: false });
    const writer = new EvidenceWriter({ bus, store: seeded, log: createLogger({ level: 'silent' }), registry, config: { ...config.evidence, flush_ms: 50 } });
    const duplicates = async () => (await registry.getSingleMetric('runwatch_evidence_duplicates_total')!.get()).values.find((v) => v.labels.table === 'detections')?.value ?? 0;
    await writer.start();
    try {
      const first = scheduler(await huntStore(), [DEFAULT_PACK], bus);
      const a = ok(await first.runOnce(EXAMPLE, NOW));
      const b = ok(await first.runOnce(EXAMPLE, NOW + 15 * 60_000));
      assert.equal(b.detections[0]!.detection_id, a.detections[0]!.detection_id);
      assert.deepEqual([a.published, b.published], [1, 0]);
      await waitFor(() => writer.stored.detections === 1, 5000, 'the detection stored');
      // Another evidence writer's scheduler (or this one after a restart) knows nothing of the first:
      // it publishes the finding again, in a later batch, and the writer recognises the stored id.
      const second = scheduler(await huntStore(), [DEFAULT_PACK], bus);
      const c = ok(await second.runOnce(EXAMPLE, NOW + 30 * 60_000));
      assert.equal(c.published, 1);
      assert.equal(c.detections[0]!.detection_id, a.detections[0]!.detection_id);
      const deadline = Date.now() + 5000;
      while ((await duplicates()) < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.equal(await duplicates(), 1);
      assert.equal(await count(seeded, 'detections'), 1);
      // Its event_ids are the timeline the operator API shows.
      const timeline = await evidenceEvents(seeded, a.detections[0]!);
      assert.deepEqual(timeline.map((e) => e.event_id).sort(), [...a.detections[0]!.event_ids].sort());
      assert.equal(timeline.length, 10);
    } finally {
      await writer.stop();
    }
  });

  test('runwatch rules hunt runs a hunt over a chosen range and prints its detections, publishing nothing', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const io = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
    assert.equal(await huntOnce(config, EXAMPLE, { until: String(NOW) }, io), 0, err.join('\n'));
    const printed = out.map((l) => JSON.parse(l) as Detection);
    assert.deepEqual(printed.map((d) => [d.key_id, d.detection_id]), [['key-spike', detectionId(EXAMPLE, 1, 'acme\u0001key-spike', `window:${new Date(WINDOW_START).toISOString()}`)]]);
    assert.deepEqual([printed[0]!.window_start, printed[0]!.window_end], [NOW - DAY, NOW]);
    // A range ending before the spike finds nothing.
    out.length = 0;
    assert.equal(await huntOnce(config, EXAMPLE, { since: String(NOW - 3 * DAY), until: String(NOW - 2 * DAY) }, io), 0, err.join('\n'));
    assert.deepEqual(out, []);
    assert.equal(await huntOnce(config, EXAMPLE, { since: 'yesterday-ish' }, io), 1);
    assert.equal(await huntOnce(config, 'rw.hunt.nope', {}, io), 1);
    assert.match(err.at(-1)!, /^no hunt 'rw\.hunt\.nope' in .* \(hunts: rw\.hunt\.key_token_spike\)$/);
  });

  test('queries run read-only: writes, escapes from the wrapper and settings overrides fail, are logged with the hunt id, and change nothing', async () => {
    const bad = {
      't.insert': 'INSERT INTO {database:Identifier}.events (event_id, tenant, ts) VALUES (\'x\', \'acme\', now())',
      't.alter': 'ALTER TABLE {database:Identifier}.events DELETE WHERE 1',
      't.escape': 'SELECT 1 AS key_id) ; INSERT INTO {database:Identifier}.events (event_id, tenant, ts) VALUES (\'y\', \'acme\', now()); SELECT * FROM (SELECT 1',
      't.unlock': "SELECT 'acme' AS tenant, line AS key_id FROM (SELECT * FROM file('/etc/hostname', 'LineAsString') SETTINGS readonly = 0)",
      't.file': "SELECT 'acme' AS tenant, line AS key_id FROM file('/etc/hostname', 'LineAsString')",
    };
    const good = "SELECT 'acme' AS tenant, 'k' AS key_id, {since:DateTime64(3)} AS s FROM {database:Identifier}.events LIMIT 1";
    const dir = ruleDir(
      [...Object.entries(bad).map(([id, q]) => HUNT(id, `query: ${JSON.stringify(q)}\n`)), HUNT('t.good', `query: ${JSON.stringify(good)}\n`)].join('---\n'),
    );
    const { log, lines } = capturingLog();
    const store = await huntStore();
    const hunts = scheduler(store, [dir], new MemoryBus(), log);
    const before = await count(seeded, 'events');
    for (const id of Object.keys(bad)) {
      const outcome = await hunts.runOnce(id, NOW);
      assert.equal(outcome.status, 'failed', id);
      assert.ok(outcome.status === 'failed' && outcome.error instanceof HuntQueryError, `${id}: ${outcome.status === 'failed' ? outcome.error.message : ''}`);
      assert.ok(lines.some((l) => l.hunt === id && l.level === 40 && l.code === 'RW_ERR_HUNT_QUERY'), `no warning for ${id}`);
    }
    assert.equal(await count(seeded, 'events'), before);
    // The scheduler and its connection still work, and nothing left the connection read-only.
    assert.equal(ok(await hunts.runOnce('t.good', NOW)).detections.length, 1);
    await store.client.command({ query: 'CREATE TABLE {db:Identifier}.scratch (x UInt8) ENGINE = Memory', query_params: { db: store.database } });
    await store.client.command({ query: 'DROP TABLE {db:Identifier}.scratch', query_params: { db: store.database } });
  });

  test('parameters are bound: a value crafted as SQL matches nothing, the same filter with a real value matches', async () => {
    const query = `query: |
  SELECT tenant, key_id, count() AS n FROM {database:Identifier}.events
  WHERE ts >= {since:DateTime64(3)} AND ts < {until:DateTime64(3)} AND key_id = {key:String}
  GROUP BY tenant, key_id
`;
    const dir = ruleDir(
      [HUNT('t.exact', `${query}params: { key: key-new }\n`), HUNT('t.crafted', `${query}params: { key: "key-new' OR '1'='1" }\n`), HUNT('t.crafted_list', `${query.replace('= {key:String}', 'IN {key:Array(String)}')}params: { key: ["x') OR 1=1 OR key_id IN ('y"] }\n`)].join('---\n'),
    );
    const hunts = scheduler(await huntStore(), [dir]);
    assert.deepEqual(ok(await hunts.runOnce('t.exact', NOW)).detections.map((d) => d.key_id), ['key-new']);
    assert.deepEqual(ok(await hunts.runOnce('t.crafted', NOW)).detections, []);
    assert.deepEqual(ok(await hunts.runOnce('t.crafted_list', NOW)).detections, []);
  });

  test('a tick while the same hunt still runs is skipped; other hunts and the writer\'s store go on meanwhile', async () => {
    const dir = ruleDir(
      [
        HUNT('t.slow', "query: SELECT 'acme' AS tenant, 'k' AS key_id, sleep(1) AS z FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)} LIMIT 1\n"),
        HUNT('t.fast', "query: SELECT 'acme' AS tenant, 'k' AS key_id FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)} LIMIT 1\n"),
      ].join('---\n'),
    );
    const hunts = scheduler(await huntStore(), [dir]);
    const slow = hunts.runOnce('t.slow', NOW);
    let slowDone = false;
    void slow.then(() => (slowDone = true));
    assert.deepEqual(await hunts.runOnce('t.slow', NOW), { status: 'skipped' });
    // Hunts have a connection of their own: chDB runs one query at a time per connection.
    await insertOnce(seeded, 'events', [eventRow(output('acme', 'key-late', NOW - 2 * DAY, 1), 0)]);
    assert.equal(slowDone, false, 'the writer\'s insert waited for the slow hunt');
    assert.equal(ok(await hunts.runOnce('t.fast', NOW)).detections.length, 1);
    ok(await slow);
    assert.equal(ok(await hunts.runOnce('t.slow', NOW)).detections.length, 1, 'the hunt runs again once its run is over');
  });

  test('a query whose rows lack a column the hunt needs fails with a message naming it', async () => {
    const dir = ruleDir(HUNT('t.cols', "query: SELECT 'acme' AS tenant, 'k' AS key FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)} LIMIT 1\nsummary: \"{{tokens}}\"\n"));
    const outcome = await scheduler(await huntStore(), [dir]).runOnce('t.cols', NOW);
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.status === 'failed' ? outcome.error.message : '', /^hunt t\.cols: the query returns no key_id, tokens column\(s\) \(returned: tenant, key\)$/);
  });

  test('max_rows and timeout bound a run', async () => {
    const dir = ruleDir(
      [
        HUNT('t.many', "query: SELECT 'acme' AS tenant, toString(number) AS key_id FROM numbers(5) WHERE {until:DateTime64(3)} > 0\nmax_rows: 3\n"),
        HUNT('t.long', "query: SELECT 'acme' AS tenant, 'k' AS key_id, sleepEachRow(0.5) AS z FROM numbers(6) WHERE {until:DateTime64(3)} > 0\ntimeout: 1s\n"),
      ].join('---\n'),
    );
    const { log, lines } = capturingLog();
    const hunts = scheduler(await huntStore(), [dir], new MemoryBus(), log);
    const many = ok(await hunts.runOnce('t.many', NOW));
    assert.deepEqual([many.detections.map((d) => d.key_id), many.dropped], [['0', '1', '2'], true]);
    assert.ok(lines.some((l) => l.hunt === 't.many' && l.level === 40 && /more rows than max_rows/.test(String(l.msg))));
    const started = Date.now();
    const long = await hunts.runOnce('t.long', NOW);
    assert.equal(long.status, 'failed');
    assert.match(long.status === 'failed' ? long.error.message : '', /^hunt t\.long: .*(Timeout exceeded|TIMEOUT_EXCEEDED)/);
    assert.ok(Date.now() - started < 2500, `took ${Date.now() - started} ms`);
  });

  test('changed hunt files are rescheduled; a change with errors keeps the running schedule', async () => {
    const query = "query: SELECT 'acme' AS tenant, 'k' AS key_id FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)}\n";
    const dir = ruleDir(HUNT('t.first', query));
    const hunts = new HuntScheduler({ bus: new MemoryBus(), store: await huntStore(), log: createLogger({ level: 'silent' }), registry: createRegistry({ processMetrics: false }), ruleDirs: [dir], watchRules: true });
    hunts.start();
    try {
      assert.deepEqual(hunts.scheduled, ['t.first']);
      writeFileSync(join(dir, 'rules.yaml'), [HUNT('t.first', `${query}enabled: false\n`), HUNT('t.second', query)].join('---\n'));
      await waitFor(() => hunts.scheduled.join() === 't.second', 5000, 't.second scheduled instead of t.first');
      writeFileSync(join(dir, 'rules.yaml'), HUNT('t.third', query).replace('"0 * * * *"', '"61 * * * *"'));
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(hunts.scheduled, ['t.second']);
    } finally {
      await hunts.stop();
    }
  });

  test('the schedule: enabled hunts only, each run at its tick, and nothing left running after stop', async () => {
    const dir = ruleDir(
      [
        HUNT('t.every_second', "query: SELECT 'acme' AS tenant, 'k' AS key_id FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)} LIMIT 1\n").replace('"0 * * * *"', '"* * * * * *"'),
        `${HUNT('t.disabled', "query: SELECT 'acme' AS tenant, 'k' AS key_id FROM {database:Identifier}.events WHERE ts < {until:DateTime64(3)}\n")}enabled: false\n`,
      ].join('---\n'),
    );
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const ours = () => [...getTasks().values()].filter((t) => t.name?.startsWith('hunt:')).map((t) => t.name);
    const baseline = timers();
    const { log, lines } = capturingLog();
    const hunts = scheduler(await huntStore(), [dir], new MemoryBus(), log);
    hunts.start();
    assert.deepEqual(hunts.scheduled, ['t.every_second']);
    assert.deepEqual(ours(), ['hunt:t.every_second']);
    const runs = () => lines.filter((l) => l.msg === 'hunt ran' && l.hunt === 't.every_second').length;
    await waitFor(() => runs() >= 2, 5000, 'two scheduled runs');
    await hunts.stop();
    assert.deepEqual(hunts.scheduled, []);
    assert.deepEqual(ours(), []);
    assert.equal(timers(), baseline);
    const ran = runs();
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(runs(), ran, 'a hunt ran after stop');
  });
});
