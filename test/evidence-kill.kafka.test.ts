// An evidence writer process killed with SIGKILL in the middle of the stream, and a new one
// started on the same store: what the first inserted but never committed is delivered again
// in other batches, and every event still ends up stored exactly once.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import kafkajs from 'kafkajs';
import { openEvidenceStore } from '../services/evidence/open.js';
import { encodeEvent } from '../services/shared/avro/telemetry.js';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { loadConfig } from '../services/shared/config/load.js';
import { eventKey, parseEvent } from '../services/shared/events/normalize.js';
import { createLogger } from '../services/shared/log.js';
import { PROJECT_ROOT } from '../services/shared/paths.js';
import { kafkaBrokers } from './support/kafka.js';
import { freePort } from './support/ports.js';

const { Kafka, logLevel } = kafkajs;

function startWriter(env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'bin', 'runwatch.js'), 'evidence'], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (d: Buffer) => process.stderr.write(`[evidence ${child.pid}] ${d}`));
  return child;
}

/** Rows the writer says it stored, from its /metrics; 0 until it answers. */
async function storedRows(port: number): Promise<number> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^runwatch_evidence_rows_total\{table="events"\} (\d+)/m.exec(text)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

test('an evidence writer killed mid-stream and replaced: every event stored exactly once', { timeout: 240_000 }, async () => {
  const brokers = kafkaBrokers().join(',');
  const dataDir = mkdtempSync(join(tmpdir(), 'rw-evidence-kill-'));
  const tenant = `kill-${randomUUID().slice(0, 8)}`;
  const groupId = `evidence-${randomUUID()}`;
  const port = await freePort();
  const env = {
    KAFKA_BROKERS: brokers,
    RUNWATCH_DATA_DIR: dataDir,
    RUNWATCH_EVIDENCE_GROUP_ID: groupId,
    RUNWATCH_EVIDENCE_HUNTS: 'false',
    RUNWATCH_EVIDENCE_BATCH_ROWS: '2000',
    RUNWATCH_EVIDENCE_METRICS_PORT: String(port),
    RUNWATCH_KAFKA_SESSION_TIMEOUT_MS: '6000',
    RUNWATCH_LOG_LEVEL: 'error',
  };
  const config = loadConfig({ env: { KAFKA_BROKERS: brokers } });
  const bus = new KafkaBus(config.kafka, createLogger({ level: 'fatal' }));
  await bus.ensureTopics();
  const admin = new Kafka({ brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const total = 30_000;
  let first: ChildProcess | undefined;
  let second: ChildProcess | undefined;
  try {
    first = startWriter(env);
    const text = 'a few hundred bytes of model output, '.repeat(8);
    for (let i = 0; i < total; i += 1000) {
      const records = Array.from({ length: 1000 }, (_, j) => {
        const parsed = parseEvent({ event_id: `${tenant}-${i + j}`, tenant, agent_id: `agent-${j % 10}`, session_id: `s-${j % 50}`, kind: 'output', output: { text } }, { receivedAt: Date.now(), tenant: null });
        assert.ok(parsed.ok);
        return { topic: TOPICS.telemetry, key: eventKey(parsed.event), value: encodeEvent(parsed.event) };
      });
      await bus.produce(records);
    }
    // Kill it once it has stored some rows and is in the middle of the rest.
    for (let i = 0; (await storedRows(port)) < 4000; i++) {
      if (i > 600) throw new Error('the first writer stored nothing in 60 s');
      await sleep(100);
    }
    first.kill('SIGKILL');
    await new Promise((resolve) => first!.once('exit', resolve));

    second = startWriter(env);
    // Caught up when the group's committed offsets reach the end of every partition.
    for (let i = 0; ; i++) {
      if (i > 1200) throw new Error('the second writer did not catch up in 120 s');
      const [ends, committed] = await Promise.all([admin.fetchTopicOffsets(TOPICS.telemetry), admin.fetchOffsets({ groupId, topics: [TOPICS.telemetry] })]);
      // A partition no event hashed to (the tenant is random) has nothing to commit: its offset stays -1.
      const done = ends.every((e) => e.high === e.low || committed[0]!.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
      if (done) break;
      await sleep(100);
    }
    second.kill('SIGTERM');
    await new Promise((resolve) => second!.once('exit', resolve));

    // Both writers are gone, so this process may open their chDB folder.
    const store = await openEvidenceStore(loadConfig({ env: { RUNWATCH_DATA_DIR: dataDir } }), createLogger({ level: 'silent' }));
    try {
      const r = await store.client.query({
        query: 'SELECT count() AS n, uniqExact(event_id) AS u FROM {db:Identifier}.events WHERE tenant = {tenant:String}',
        query_params: { db: store.database, tenant },
        format: 'JSONEachRow',
      });
      const [row] = await r.json<{ n: string; u: string }>();
      assert.deepEqual([Number(row!.n), Number(row!.u)], [total, total]);
    } finally {
      await store.close();
    }
  } finally {
    for (const c of [first, second]) if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await admin.disconnect();
    await bus.close();
  }
});
