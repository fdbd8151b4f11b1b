/**
 * The bus every service talks through: Kafka in distributed mode, an in-process log in the
 * embedded mode. One small interface, so services never know which one they run on.
 */

/** A record to produce. `key` decides the partition: one key's records stay in order. */
export interface OutgoingRecord {
  topic: string;
  key: string | null;
  /** null is a tombstone (compacted topics). */
  value: Buffer | null;
  headers?: Record<string, string>;
  /** Epoch ms; defaults to now. */
  timestamp?: number;
}

export interface BusMessage {
  topic: string;
  partition: number;
  /** Kafka offsets are int64; kept as decimal strings like kafkajs does. */
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: number;
  headers: Record<string, string>;
  /**
   * True when this group already processed the message and it is delivered again only
   * because a consumer with `fromTimestamp` rewound to rebuild state: update state from it,
   * do not act on it again.
   */
  replay?: boolean;
}

/** Messages of one partition, in offset order. */
export interface Batch {
  topic: string;
  partition: number;
  messages: BusMessage[];
  /** Call during long processing so the group does not consider the consumer dead. */
  heartbeat(): Promise<void>;
}

export interface ConsumeOptions {
  groupId: string;
  topics: string[];
  /** Where a group without a committed offset starts: the oldest record (true) or new ones only. */
  fromBeginning?: boolean;
  /**
   * Start each partition at the first record at or after this time whenever it is assigned,
   * whatever the group committed (how a worker rebuilds window state after a rebalance).
   * Messages before the committed offset come with `replay: true`, and committed offsets
   * never move backwards.
   */
  fromTimestamp?: () => number;
  /** Largest batch handed to eachBatch (the memory bus honours it exactly; Kafka by bytes). */
  maxBatchSize?: number;
  /**
   * How many partitions' batches may be inside eachBatch at once (default 1). A consumer
   * that gathers rows from many partitions into one write (the evidence writer) needs more
   * than one, or it would only ever see one partition's batch at a time.
   */
  concurrency?: number;
  /**
   * Handles one batch. Offsets are committed only after it resolves; if it throws, the same
   * messages are delivered again (after a backoff), so handlers must be idempotent.
   */
  eachBatch(batch: Batch): Promise<void>;
  /** Told which partitions this consumer owns after every rebalance. */
  onAssign?(assignment: ReadonlyArray<{ topic: string; partitions: number[] }>): void;
}

export interface Subscription {
  /** Stops fetching, waits for the batch in flight, leaves the group. */
  stop(): Promise<void>;
}

/** Where a partition's records start and end right now (Kafka's log start and high watermark). */
export interface PartitionOffsets {
  partition: number;
  /** Offset of the oldest record kept. */
  low: string;
  /** Offset the next record will get: a reader is caught up once it has read everything below it. */
  high: string;
}

export interface Bus {
  readonly kind: 'kafka' | 'memory';
  /** Every partition's offsets now: how a reader of a compacted topic knows it has read it all. */
  endOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** Creates the runwatch topics that do not exist yet. */
  ensureTopics(): Promise<void>;
  /** Resolves once every record is durably taken (Kafka: acks=all); throws BusUnavailableError. */
  produce(records: OutgoingRecord[]): Promise<void>;
  consume(options: ConsumeOptions): Promise<Subscription>;
  close(): Promise<void>;
}
