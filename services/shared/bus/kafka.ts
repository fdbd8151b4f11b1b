/**
 * The bus on Apache Kafka (kafkajs): idempotent producer with acks=all, key-ordered
 * partitioning (murmur2, as the Java client), topics created on start, consumers that
 * commit a batch's offsets only after the handler finished with it.
 */
import {
  CompressionTypes,
  Kafka,
  logLevel as KafkaLogLevel,
  Partitioners,
  type Admin,
  type Consumer,
  type KafkaConfig,
  type LogEntry,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { Config } from '../config/schema.js';
import { BusUnavailableError } from '../errors.js';
import type { Logger } from '../log.js';
import { TOPIC_SPECS } from './topics.js';
import type { Bus, BusMessage, ConsumeOptions, OutgoingRecord, PartitionOffsets, Subscription } from './types.js';

export type KafkaBusConfig = Config['kafka'];

export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();

  constructor(
    private readonly config: KafkaBusConfig,
    private readonly log: Logger,
  ) {
    const client: KafkaConfig = {
      clientId: config.client_id,
      brokers: config.brokers,
      ssl: config.ssl,
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
      logLevel: KafkaLogLevel.WARN,
      logCreator: () => (entry: LogEntry) => this.logEntry(entry),
    };
    if (config.sasl) client.sasl = { ...config.sasl } as SASLOptions;
    this.kafka = new Kafka(client);
  }

  async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = TOPIC_SPECS.filter((t) => !existing.has(t.name));
      if (missing.length === 0) return;
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((t) => ({
          topic: t.name,
          numPartitions: this.config.partitions,
          replicationFactor: this.config.replication_factor,
          configEntries: t.compacted
            ? [
                { name: 'cleanup.policy', value: 'compact' },
                { name: 'min.cleanable.dirty.ratio', value: '0.1' },
                { name: 'delete.retention.ms', value: '86400000' },
              ]
            : [],
        })),
      });
      this.log.info({ topics: missing.map((t) => t.name) }, 'created Kafka topics');
    } catch (err) {
      throw new BusUnavailableError(`cannot create topics on ${this.config.brokers.join(',')}: ${(err as Error).message}`, err);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async produce(records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) byTopic.set(r.topic, [...(byTopic.get(r.topic) ?? []), r]);
    try {
      const producer = await this.connectProducer();
      await producer.sendBatch({
        acks: -1,
        compression: this.config.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None,
        topicMessages: [...byTopic].map(([topic, list]) => ({
          topic,
          messages: list.map((r) => ({
            key: r.key,
            value: r.value,
            headers: r.headers,
            timestamp: r.timestamp === undefined ? undefined : String(r.timestamp),
          })),
        })),
      });
    } catch (err) {
      throw new BusUnavailableError(`Kafka did not take ${records.length} records: ${(err as Error).message}`, err);
    }
  }

  async endOffsets(topic: string): Promise<PartitionOffsets[]> {
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition);
    } catch (err) {
      throw new BusUnavailableError(`cannot read the offsets of ${topic}: ${(err as Error).message}`, err);
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.config.session_timeout_ms,
      heartbeatInterval: Math.min(3000, Math.floor(this.config.session_timeout_ms / 3)),
      maxWaitTimeInMs: 100,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
    });
    this.consumers.add(consumer);
    // Batches of a partition wait for its seek, so nothing before the start time is handed out.
    const seeks = new Map<string, Promise<void>>();
    // Committed offsets when the partition was assigned: below them, deliveries are replays.
    const floors = new Map<string, bigint>();
    if (options.fromTimestamp || options.onAssign) {
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assignment = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
        options.onAssign?.(assignment);
        if (options.fromTimestamp) {
          const seek = this.seekToTime(consumer, options.groupId, assignment, options.fromTimestamp(), floors);
          for (const { topic, partitions } of assignment) for (const p of partitions) seeks.set(`${topic}/${p}`, seek);
        }
      });
    }
    await consumer.connect();
    await consumer.subscribe({ topics: options.topics, fromBeginning: options.fromBeginning ?? false });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.concurrency ?? 1,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale, resolveOffset }) => {
        const seek = seeks.get(`${batch.topic}/${batch.partition}`);
        if (seek) {
          await seek;
          seeks.delete(`${batch.topic}/${batch.partition}`);
        }
        if (batch.messages.length === 0 || !isRunning() || isStale()) return;
        const floor = floors.get(`${batch.topic}/${batch.partition}`) ?? -1n;
        const messages: BusMessage[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: m.offset,
          key: m.key,
          value: m.value,
          timestamp: Number(m.timestamp),
          headers: decodeHeaders(m.headers),
          ...(BigInt(m.offset) < floor ? { replay: true } : {}),
        }));
        // A throw here makes kafkajs deliver the batch again from the last committed offset.
        await options.eachBatch({ topic: batch.topic, partition: batch.partition, messages, heartbeat });
        const last = messages[messages.length - 1]!.offset;
        resolveOffset(last); // the next fetch starts after it; without this kafkajs fetches it again
        const next = BigInt(last) + 1n;
        if (next > floor) {
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
        }
      },
    });
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        await consumer.disconnect();
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((c) => c.disconnect().catch(() => {})));
    this.consumers.clear();
    const producer = this.producer;
    this.producer = undefined;
    this.connecting = undefined;
    if (producer) await producer.disconnect().catch(() => {});
  }

  private async connectProducer(): Promise<Producer> {
    if (this.producer) return this.producer;
    this.connecting ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      this.producer = producer;
      return producer;
    })().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async seekToTime(
    consumer: Consumer,
    groupId: string,
    assignment: Array<{ topic: string; partitions: number[] }>,
    ts: number,
    floors: Map<string, bigint>,
  ): Promise<void> {
    const admin: Admin = this.kafka.admin();
    try {
      await admin.connect();
      const committed = await admin.fetchOffsets({ groupId, topics: assignment.map((a) => a.topic) });
      for (const { topic, partitions } of committed) {
        for (const p of partitions) if (p.offset !== '-1') floors.set(`${topic}/${p.partition}`, BigInt(p.offset));
      }
      for (const { topic, partitions } of assignment) {
        const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
        for (const o of offsets) if (partitions.includes(o.partition)) consumer.seek({ topic, partition: o.partition, offset: o.offset });
      }
    } catch (err) {
      this.log.error({ err }, 'cannot seek consumer to timestamp; it continues from committed offsets');
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  private logEntry({ level, log }: LogEntry): void {
    const { message, ...extra } = log;
    const fields = { kafka: extra };
    if (level === KafkaLogLevel.ERROR || level === KafkaLogLevel.NOTHING) this.log.error(fields, message);
    else if (level === KafkaLogLevel.WARN) this.log.warn(fields, message);
    else this.log.debug(fields, message);
  }
}

function decodeHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) if (v !== undefined) out[k] = Buffer.isBuffer(v) ? v.toString() : String(v);
  return out;
}
