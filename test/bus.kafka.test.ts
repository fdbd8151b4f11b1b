// The same contract against the real broker, plus what only Kafka has (topic configs).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import kafkajs from 'kafkajs';
import { KafkaBus } from '../services/shared/bus/kafka.js';
import { TOPICS } from '../services/shared/bus/topics.js';
import { loadConfig } from '../services/shared/config/load.js';
import { createLogger } from '../services/shared/log.js';
import { busContract } from './support/bus-contract.js';
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
