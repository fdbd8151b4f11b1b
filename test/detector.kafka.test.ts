// Two detector workers in one consumer group on the real broker; one is killed with SIGKILL
// in the middle of every session's sequence; the survivor takes its partitions over,
// rebuilds the windows from the topic, and each sequence is detected exactly once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { loadConfig } from '../services/shared/config/load.js';
import { createLogger } from '../services/shared/log.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { decodeRecord, type Detection } from '../services/shared/records.js';
import { waitFor } from './support/bus-contract.js';
import { startTestCollector } from './support/collector.js';
import { kafkaBrokers } from './support/kafka.js';
import { CHAIN_RULE, ruleDir } from './support/rule-pack.js';

const { Kafka, logLevel } = kafkajs;
const brokers = kafkaBrokers().join(',');
function startWorker(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'runwatch.js'), 'detector'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[worker ${child.pid}] ${d}`));
  return child;
}

test('a worker killed mid-window: every sequence is still detected, exactly once', { timeout: 180_000 }, async () => {
  const dir = ruleDir(CHAIN_RULE);
  const groupId = `detectors-${randomUUID()}`;
  const tenant = `kill-${randomUUID().slice(0, 8)}`;
  const env = {
    KAFKA_BROKERS: brokers,
    RUNWATCH_RULES_DIRS: dir,
    RUNWATCH_RULES_WATCH: 'false',
    RUNWATCH_DETECTOR_GROUP_ID: groupId,
    RUNWATCH_DETECTOR_METRICS_PORT: '0',
    RUNWATCH_KAFKA_SESSION_TIMEOUT_MS: '6000',
    RUNWATCH_KAFKA_PARTITIONS: '4',
    RUNWATCH_LOG_LEVEL: 'error',
  };
  const bus = new KafkaBus(loadConfig({ env: { KAFKA_BROKERS: brokers, RUNWATCH_KAFKA_PARTITIONS: '4' } }).kafka, createLogger({ level: 'fatal' }));
  await bus.ensureTopics();
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const workers = [startWorker(env), startWorker(env)];
  const collector = await startTestCollector(bus, { KAFKA_BROKERS: brokers });
  const detections: Detection[] = [];
  const reader = await bus.consume({
    groupId: `read-${randomUUID()}`,
    topics: [TOPICS.detections],
    fromBeginning: true,
    eachBatch: async (b) => {
      for (const m of b.messages) {
        const d = decodeRecord('Detection', m.value!);
        if (d.tenant === tenant) detections.push(d);
      }
    },
  });
  try {
    const members = async () => {
      const [group] = (await admin.describeGroups([groupId])).groups;
      return group?.state === 'Stable' ? group.members.length : 0;
    };
    for (let i = 0; (await members()) < 2; i++) {
      if (i > 120) throw new Error('the two workers did not form a group');
      await sleep(250);
    }
    const sessions = Array.from({ length: 24 }, (_, i) => `session-${i}`);
    const call = (name: string, session: string) => ({ tenant, agent_id: `agent-${session}`, session_id: session, kind: 'tool_call', tool_call: { name, arguments: {} } });
    assert.equal((await collector.post('/v1/events', JSON.stringify(sessions.map((s) => call('read_secrets', s))))).status, 202);
    // Let both workers take their share of the first steps and commit them.
    const committed = async () => {
      const offsets = await admin.fetchOffsets({ groupId, topics: [TOPICS.telemetry] });
      return offsets[0]!.partitions.filter((p) => p.offset !== '-1').length;
    };
    for (let i = 0; (await committed()) < 2; i++) {
      if (i > 80) throw new Error('the workers did not commit');
      await sleep(250);
    }
    workers[0]!.kill('SIGKILL');
    assert.equal((await collector.post('/v1/events', JSON.stringify(sessions.map((s) => call('send_email', s))))).status, 202);
    await waitFor(() => detections.length >= sessions.length, 90_000, `${sessions.length} detections (have ${detections.length})`);
    await sleep(3000); // anything doubled would arrive now
    assert.equal(detections.length, sessions.length, 'one detection per session, none twice');
    assert.deepEqual(detections.map((d) => d.session_id).sort(), [...sessions].sort());
    assert.equal(new Set(detections.map((d) => d.detection_id)).size, sessions.length);
    for (const d of detections) assert.equal(d.event_ids.length, 2);
  } finally {
    for (const w of workers) w.kill('SIGKILL');
    await reader.stop();
    await collector.close();
    await admin.disconnect();
    await bus.close();
  }
});
