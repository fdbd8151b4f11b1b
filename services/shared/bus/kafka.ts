/**
 * The bus on Apache Kafka (kafkajs): idempotent producer with acks=all, key-ordered
 * partitioning (murmur2, as the Java client), topics created on start, consumers that
 * commit a batch's offsets only after the handler finished with it, and that start again
 * after any crash.
 */
import { setTimeout as sleep } from 'node:timers/promises';
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
import { BusUnavailableError, RecordTooLargeError } from '../errors.js';
import type { Logger } from '../log.js';
import { isTooLargeError, requestRanges } from './request-size.js';
import { TOPIC_SPECS } from './topics.js';
import type { Bus, BusMessage, ConsumeOptions, OutgoingRecord, PartitionOffsets, Subscription } from './types.js';

export type KafkaBusConfig = Config['kafka'];

interface ConsumerHooks {
  /** The consumer stopped for good (kafkajs will not restart it). */
  crashed(consumer: Consumer, error: Error): void;
  /** A batch was handled. */
  handled(): void;
}

export class KafkaBus implements Bus {
  readonly kind = 'kafka' as const;
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  private connecting: Promise<Producer> | undefined;
  private readonly consumers = new Set<Consumer>();
  private closed = false;

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

  /**
   * In requests of at most REQUEST_BUDGET_BYTES, one after the other (request-size.ts). A request
   * the broker refuses as too large (a topic whose max.message.bytes is below that budget) is
   * halved until the record at fault stands alone, and that one is a RecordTooLargeError; the
   * records before it are on Kafka.
   */
  async produce(records: OutgoingRecord[]): Promise<void> {
    for (const [start, end] of requestRanges(records)) await this.produceRange(records, start, end, false);
  }

  private async produceRange(records: OutgoingRecord[], start: number, end: number, split: boolean): Promise<void> {
    try {
      await this.send(records.slice(start, end));
    } catch (err) {
      if (!isTooLargeError(err)) throw new BusUnavailableError(`Kafka did not take ${end - start} records: ${(err as Error).message}`, err);
      if (end - start === 1) throw new RecordTooLargeError(start, records[start]!.topic, records[start]!.value?.length ?? 0, err);
      if (!split) this.log.warn({ records: end - start }, "Kafka refused a request as too large; splitting it (is a topic's max.message.bytes below 1 MB?)");
      const mid = (start + end) >>> 1;
      await this.produceRange(records, start, mid, true);
      await this.produceRange(records, mid, end, true);
    }
  }

  /**
   * One produce request. After a failure the producer is replaced: kafkajs has rolled back its
   * sequence numbers for every partition of the request, also those the broker did append to,
   * and the broker would then acknowledge the next, different records there as retries of those
   * and drop them (silent loss, seen on a real broker). A new producer id starts afresh.
   */
  private async send(records: OutgoingRecord[]): Promise<void> {
    const byTopic = new Map<string, OutgoingRecord[]>();
    for (const r of records) {
      const list = byTopic.get(r.topic);
      if (list) list.push(r);
      else byTopic.set(r.topic, [r]);
    }
    const producer = await this.connectProducer();
    try {
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
      if (this.producer === producer) {
        this.producer = undefined;
        void producer.disconnect().catch(() => {});
      }
      throw err;
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
    // Batches of a partition wait for its seek, so nothing before the start time is handed out.
    const seeks = new Map<string, Promise<void>>();
    // Committed offsets when the partition was assigned: below them, deliveries are replays.
    const floors = new Map<string, bigint>();
    let current: Consumer | undefined;
    let stopped = false;
    const retryWait = new AbortController();
    // Grows while new consumers crash again before handling anything (a handler bug on one record).
    let wait = 1000;

    // kafkajs restarts a consumer that crashed on a retriable error, but one that crashed on an
    // error it deems non-retriable stays stopped for good, and the service with it, alive and
    // idle (tulios/kafkajs#1630: "Failed to find group coordinator" while a broker restarts is
    // one). A consumer is all these services do: start a new one, with backoff, until stopped.
    const restart = async (): Promise<void> => {
      while (!stopped && !this.closed) {
        const delay = wait;
        wait = Math.min(wait * 2, 30_000);
        await sleep(delay, undefined, { signal: retryWait.signal }).catch(() => {});
        if (stopped || this.closed) return;
        try {
          current = await this.startConsumer(options, seeks, floors, hooks);
          if (stopped || this.closed) await this.stopConsumer(current);
          else this.log.warn({ group: options.groupId }, 'consumer started again after a crash');
          return;
        } catch (err) {
          this.log.error({ group: options.groupId, err: (err as Error).message, retry_ms: wait }, 'consumer could not start again; retrying');
        }
      }
    };
    const hooks: ConsumerHooks = {
      crashed: (consumer, error) => {
        this.consumers.delete(consumer);
        if (stopped || this.closed) return;
        this.log.error({ group: options.groupId, err: error.message, retry_ms: wait }, 'consumer crashed and kafkajs will not restart it; starting a new one');
        void restart();
      },
      handled: () => {
        wait = 1000;
      },
    };

    current = await this.startConsumer(options, seeks, floors, hooks);
    return {
      stop: async () => {
        stopped = true;
        retryWait.abort();
        if (current) await this.stopConsumer(current);
      },
    };
  }

  private async stopConsumer(consumer: Consumer): Promise<void> {
    this.consumers.delete(consumer);
    await consumer.disconnect();
  }

  /** One kafkajs consumer running `options`. */
  private async startConsumer(options: ConsumeOptions, seeks: Map<string, Promise<void>>, floors: Map<string, bigint>, hooks: ConsumerHooks): Promise<Consumer> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      allowAutoTopicCreation: false,
      sessionTimeout: this.config.session_timeout_ms,
      heartbeatInterval: Math.min(3000, Math.floor(this.config.session_timeout_ms / 3)),
      maxWaitTimeInMs: 100,
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 10_000 },
    });
    this.consumers.add(consumer);
    consumer.on(consumer.events.CRASH, (event) => {
      if (!event.payload.restart) hooks.crashed(consumer, event.payload.error);
    });
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
    try {
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
          hooks.handled();
          const last = messages[messages.length - 1]!.offset;
          resolveOffset(last); // the next fetch starts after it; without this kafkajs fetches it again
          const next = BigInt(last) + 1n;
          if (next > floor) {
            await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: next.toString() }]);
          }
        },
      });
    } catch (err) {
      this.consumers.delete(consumer);
      await consumer.disconnect().catch(() => {});
      throw err;
    }
    return consumer;
  }

  async close(): Promise<void> {
    this.closed = true;
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
