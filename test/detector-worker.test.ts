// The detector worker on the embedded bus: HTTP in, detections out; a restarted worker
// rebuilds its windows and alerts once; poison goes to the dead-letter topic; rule files
// reload while it runs, and a broken change keeps the running rules.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DetectorWorker } from '../services/detector/worker.js';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import type { Bus, BusMessage } from '../services/shared/bus/types.js';
import { createLogger } from '../services/shared/log.js';
import { createRegistry } from '../services/shared/metrics.js';
import { decodeRecord, type Detection } from '../services/shared/records.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector } from './support/collector.js';
import { CHAIN_RULE, ruleDir as writeRules } from './support/rule-pack.js';

const RULES = `kind: rule
id: t.danger
name: Dangerous tool
version: 1
severity: high
match: { tool_call.name: danger }
---
${CHAIN_RULE}`;

const ruleDir = (text = RULES) => writeRules(text);

function worker(bus: Bus, dir: string, watchRules = false, registry = createRegistry({ processMetrics: false })): DetectorWorker {
  return new DetectorWorker({ bus, log: createLogger({ level: 'silent' }), registry, groupId: 'detectors', ruleDirs: [dir], watchRules, tickMs: 100 });
}

/** Every detection on the topic so far. */
async function detections(bus: Bus, atLeast: number): Promise<Detection[]> {
  const got: BusMessage[] = [];
  const sub = await bus.consume({ groupId: `read-${randomUUID()}`, topics: [TOPICS.detections], fromBeginning: true, eachBatch: async (b) => void got.push(...b.messages) });
  try {
    await waitFor(() => got.length >= atLeast, 5000, `${atLeast} detections (have ${got.length})`);
    await new Promise((r) => setTimeout(r, 150));
  } finally {
    await sub.stop();
  }
  return got.map((m) => decodeRecord('Detection', m.value!));
}

const call = (name: string, session = 's1', agent = 'agent-1') => ({ kind: 'tool_call', agent_id: agent, session_id: session, tool_call: { name, arguments: {} } });

describe('detector worker', () => {
  test('events posted to the collector come out as detections with their evidence events', async () => {
    const bus = new MemoryBus({ partitions: 2 });
    const metrics = createRegistry({ processMetrics: false });
    const w = worker(bus, ruleDir(), false, metrics);
    await w.start();
    const c = await startTestCollector(bus);
    try {
      await c.post('/v1/events', JSON.stringify([call('read_secrets'), call('search'), call('send_email'), call('danger', 's2')]));
      const got = await detections(bus, 2);
      const text = await metrics.metrics();
      assert.match(text, /runwatch_detector_events_total 4/);
      assert.match(text, /runwatch_detector_detections_total\{rule="t\.chain",severity="critical"\} 1/);
      assert.match(text, /runwatch_detector_eval_seconds_count 4/);
      assert.match(text, /runwatch_detector_lag_seconds \d/);
      assert.deepEqual(got.map((d) => d.rule_id).sort(), ['t.chain', 't.danger']);
      const chain = got.find((d) => d.rule_id === 't.chain')!;
      assert.equal(chain.severity, 'critical');
      assert.equal(chain.event_ids.length, 2);
      assert.equal(chain.session_id, 's1');
      assert.equal(chain.agent_id, 'agent-1');
    } finally {
      await c.close();
      await w.stop();
      await bus.close();
    }
  });

  test('a worker that restarts mid-sequence rebuilds the window from the topic and alerts exactly once', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const dir = ruleDir();
    const first = worker(bus, dir);
    await first.start();
    const c = await startTestCollector(bus);
    try {
      await c.post('/v1/events', JSON.stringify([call('danger', 's9'), call('read_secrets', 's9')]));
      await detections(bus, 1); // the danger detection went out, the sequence is half done
      await first.stop();
      const second = worker(bus, dir);
      await second.start();
      await c.post('/v1/events', JSON.stringify([call('send_email', 's9')]));
      const got = await detections(bus, 2);
      await second.stop();
      assert.deepEqual(got.map((d) => d.rule_id).sort(), ['t.chain', 't.danger'], 'the replayed danger event did not alert again');
    } finally {
      await c.close();
      await bus.close();
    }
  });

  test('a message that is not an event goes to the dead-letter topic and the worker goes on', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const w = worker(bus, ruleDir());
    await w.start();
    try {
      await bus.produce([{ topic: TOPICS.telemetry, key: 'x', value: Buffer.from('not avro') }]);
      const c = await startTestCollector(bus);
      await c.post('/v1/events', JSON.stringify(call('danger')));
      assert.equal((await detections(bus, 1)).length, 1);
      await c.close();
      const dead: BusMessage[] = [];
      const sub = await bus.consume({ groupId: 'dl', topics: [TOPICS.deadletter], fromBeginning: true, eachBatch: async (b) => void dead.push(...b.messages) });
      await waitFor(() => dead.length >= 1, 5000, 'the dead letter');
      await sub.stop();
      const letter = decodeRecord('DeadLetter', dead[0]!.value!);
      assert.equal(letter.stage, 'detector');
      assert.equal(letter.origin_topic, TOPICS.telemetry);
      assert.match(letter.reason, /not a framed Avro message/);
    } finally {
      await w.stop();
      await bus.close();
    }
  });

  test('rule files reload while running; a broken change is refused and the running rules stay', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const dir = ruleDir();
    const w = worker(bus, dir, true);
    await w.start();
    const c = await startTestCollector(bus);
    try {
      writeFileSync(join(dir, 'more.yaml'), 'kind: rule\nid: t.new\nname: New\nversion: 1\nseverity: low\nmatch: { tool_call.name: fresh }\n');
      await waitFor(() => w.rules === 3, 5000, 'the new rule to load');
      writeFileSync(join(dir, 'broken.yaml'), 'kind: rule\nid: t.broken\nname: B\nversion: 1\nseverity: loud\nmatch: { kind: x }\n');
      await new Promise((r) => setTimeout(r, 800));
      assert.equal(w.rules, 3, 'the broken file did not replace the running pack');
      await c.post('/v1/events', JSON.stringify([call('fresh'), call('danger')]));
      assert.deepEqual((await detections(bus, 2)).map((d) => d.rule_id).sort(), ['t.danger', 't.new']);
    } finally {
      await c.close();
      await w.stop();
      await bus.close();
    }
  });

  test('a rule pack with errors stops start-up, naming file, line and column', () => {
    const dir = ruleDir('kind: rule\nid: x\nname: X\nversion: 1\nseverity: high\nmatch: { tool_call.nam: a }\n');
    assert.throws(() => worker(new MemoryBus(), dir), /rules\.yaml:6:10: error: tool_call\.nam: unknown field 'nam'/);
  });
});
