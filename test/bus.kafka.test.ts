// The same contract against the real broker, plus what only Kafka has (topic configs).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { loadConfig } from '../services/shared/config/load.js';
import { createLogger } from '../services/shared/log.js';
import { busContract, waitFor } from './support/bus-contract.js';
import { kafkaBrokers } from './support/kafka.js';

// kafkajs is CommonJS; Node exposes only some of its exports by name.
const { ConfigResourceTypes, Kafka, logLevel } = kafkajs;
const brokers = kafkaBrokers();
const admin = () => new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();

busContract(
  'kafka',
  async () => {
    const config = loadConfig({ env: { KAFKA_BROKERS: brokers.join(','), RUNWATCH_KAFKA_PARTITIONS: '3' } });
    const bus = new KafkaBus(config.kafka, createLogger({ level: 'warn' }));
    const a = admin();
    await a.connect();
    return {
      bus,
      createTopic: async (name, partitions) => {
        await a.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }] });
      },
      close: async () => {
        await a.disconnect();
        await bus.close();
      },
    };
  },
  30_000,
);

test('kafka: the containment topic is compacted, the others are not', async () => {
  const config = loadConfig({ env: { KAFKA_BROKERS: brokers.join(',') } });
  const bus = new KafkaBus(config.kafka, createLogger({ level: 'warn' }));
  await bus.ensureTopics();
  await bus.close();
  const a = admin();
  await a.connect();
  try {
    const described = await a.describeConfigs({
      includeSynonyms: false,
      resources: [TOPICS.containment, TOPICS.telemetry].map((name) => ({ type: ConfigResourceTypes.TOPIC, name, configNames: ['cleanup.policy'] })),
    });
    const policy = (name: string) => described.resources.find((r) => r.resourceName === name)?.configEntries.find((e) => e.configName === 'cleanup.policy')?.configValue;
    assert.equal(policy(TOPICS.containment), 'compact');
    assert.equal(policy(TOPICS.telemetry), 'delete');
  } finally {
    await a.disconnect();
  }
});

test('kafka: a consumer that kafkajs would leave stopped after a crash is started again', async () => {
  // kafkajs stops a consumer for good after an error it deems non-retriable (a TypeError from a
  // handler, "Failed to find group coordinator" while a broker restarts): the service would stay
  // up and consume nothing. The bus starts a new consumer; the batch is delivered again.
  const config = loadConfig({ env: { KAFKA_BROKERS: brokers.join(','), RUNWATCH_KAFKA_PARTITIONS: '1' } });
  const bus = new KafkaBus(config.kafka, createLogger({ level: 'silent' }));
  const topic = `crash-${randomUUID()}`;
  const a = admin();
  await a.connect();
  await a.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1, replicationFactor: 1 }] });
  const seen: string[] = [];
  let crashes = 0;
  const sub = await bus.consume({
    groupId: `crash-${randomUUID()}`,
    topics: [topic],
    fromBeginning: true,
    eachBatch: async (b) => {
      if (crashes++ === 0) throw new TypeError('a bug in the handler');
      seen.push(...b.messages.map((m) => m.value!.toString()));
    },
  });
  try {
    await bus.produce([{ topic, key: 'k', value: Buffer.from('one') }]);
    await waitFor(() => seen.includes('one'), 20_000, 'the message after the crash');
    await bus.produce([{ topic, key: 'k', value: Buffer.from('two') }]);
    await waitFor(() => seen.includes('two'), 20_000, 'the next message');
    assert.deepEqual(seen, ['one', 'two']);
  } finally {
    await sub.stop();
    await a.disconnect();
    await bus.close();
  }
});
