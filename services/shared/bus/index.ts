/** The bus a service runs on: Kafka when brokers are configured, else the embedded one. */
import type { Config } from '../config/schema.js';
import type { Logger } from '../log.js';
import { KafkaBus } from './kafka.js';
import { MemoryBus } from './memory.js';
import type { Bus } from './types.js';

export type { Batch, Bus, BusMessage, ConsumeOptions, OutgoingRecord, Subscription } from './types.js';
export { TOPICS, TOPIC_SPECS } from './topics.js';
export { MemoryBus } from './memory.js';
export { KafkaBus } from './kafka.js';

export function createBus(config: Config, log: Logger): Bus {
  if (config.kafka.brokers.length > 0) return new KafkaBus(config.kafka, log.child({ component: 'kafka' }));
  return new MemoryBus({ partitions: config.kafka.partitions });
}
