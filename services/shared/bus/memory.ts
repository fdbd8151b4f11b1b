/**
 * The embedded bus: Kafka's semantics (partitions by key, consumer groups sharing partitions,
 * commit after processing, redelivery on failure, compaction) inside one process, so
 * `runwatch up` runs the same service code with no broker. Not a production option: nothing
 * here survives the process (DESIGN.md: Kafka is the engine that scales runwatch).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { TOPIC_SPECS } from './topics.js';
import { partitionFor } from './partitioner.js';
import type { Batch, Bus, BusMessage, ConsumeOptions, OutgoingRecord, PartitionOffsets, Subscription } from './types.js';

export interface MemoryBusOptions {
  partitions?: number;
  /** Records every group has committed are dropped once older than this. */
  retentionMs?: number;
  /** Wait before redelivering a batch whose handler threw. */
  redeliveryBackoffMs?: number;
  /** Per partition of a topic no group consumes, only the newest this many are kept. */
  retainUnconsumed?: number;
}

interface Partition {
  /** Offsets may have gaps after compaction; `messages` stays in offset order. */
  messages: BusMessage[];
  nextOffset: number;
}

interface Topic {
  partitions: Partition[];
  compacted: boolean;
}

interface Group {
  committed: Map<string, number>;
  members: Member[];
  generation: number;
}

export class MemoryBus implements Bus {
  readonly kind = 'memory' as const;
  private readonly topics = new Map<string, Topic>();
  private readonly groups = new Map<string, Group>();
  private readonly partitionCount: number;
  private readonly retentionMs: number;
  private readonly retainUnconsumed: number;
  readonly redeliveryBackoffMs: number;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(options: MemoryBusOptions = {}) {
    this.partitionCount = options.partitions ?? 4;
    this.retentionMs = options.retentionMs ?? 10 * 60_000;
    this.redeliveryBackoffMs = options.redeliveryBackoffMs ?? 200;
    this.retainUnconsumed = options.retainUnconsumed ?? 10_000;
  }

  async ensureTopics(): Promise<void> {
    for (const spec of TOPIC_SPECS) this.topic(spec.name, spec.compacted);
  }

  async produce(records: OutgoingRecord[]): Promise<void> {
    const now = Date.now();
    const touched = new Set<string>();
    for (const r of records) {
      const topic = this.topic(r.topic);
      const partition = partitionFor(r.key, topic.partitions.length);
      const p = topic.partitions[partition]!;
      p.messages.push({
        topic: r.topic,
        partition,
        offset: String(p.nextOffset++),
        key: r.key === null ? null : Buffer.from(r.key),
        value: r.value,
        timestamp: r.timestamp ?? now,
        headers: r.headers ?? {},
      });
      touched.add(`${partition}/${r.topic}`);
    }
    for (const t of touched) {
      const slash = t.indexOf('/');
      this.trim(t.slice(slash + 1), Number(t.slice(0, slash)));
    }
    this.wake();
  }

  async consume(options: ConsumeOptions): Promise<Subscription> {
    let group = this.groups.get(options.groupId);
    if (!group) {
      group = { committed: new Map(), members: [], generation: 0 };
      this.groups.set(options.groupId, group);
    }
    for (const t of options.topics) this.topic(t);
    const member = new Member(this, group, options);
    group.members.push(member);
    this.rebalance(group);
    member.start();
    return {
      stop: async () => {
        await member.stop();
        group.members = group.members.filter((m) => m !== member);
        this.rebalance(group);
      },
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    const members = [...this.groups.values()].flatMap((g) => g.members);
    await Promise.all(members.map((m) => m.stop()));
    this.wake();
  }

  async endOffsets(topic: string): Promise<PartitionOffsets[]> {
    return this.topic(topic).partitions.map((p, partition) => ({
      partition,
      low: p.messages.length > 0 ? p.messages[0]!.offset : String(p.nextOffset),
      high: String(p.nextOffset),
    }));
  }

  /** Messages of a partition from `offset` on, at most `max`. */
  read(topic: string, partition: number, offset: number, max: number): BusMessage[] {
    const messages = this.topic(topic).partitions[partition]?.messages ?? [];
    const start = lowerBound(messages, offset);
    return messages.slice(start, start + max);
  }

  /** The offset a new reader starts at: the oldest kept record, or the next one to be written. */
  startOffset(topic: string, partition: number, fromBeginning: boolean, fromTimestamp?: number): number {
    const p = this.topic(topic).partitions[partition]!;
    if (fromTimestamp !== undefined) {
      const first = p.messages.find((m) => m.timestamp >= fromTimestamp);
      return first ? Number(first.offset) : p.nextOffset;
    }
    if (fromBeginning) return p.messages.length > 0 ? Number(p.messages[0]!.offset) : p.nextOffset;
    return p.nextOffset;
  }

  partitionsOf(topic: string): number {
    return this.topic(topic).partitions.length;
  }

  /** Resolves when something is produced, the bus closes, or `ms` pass. */
  async waitForData(ms: number): Promise<void> {
    if (this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /**
   * Drops what every consuming group has committed and retention no longer needs; of a
   * topic nobody consumes, keeps the newest `retainUnconsumed` records, so memory stays
   * bounded whatever is produced.
   */
  trim(topicName: string, partition: number): void {
    const topic = this.topic(topicName);
    const p = topic.partitions[partition]!;
    let safe = Infinity;
    for (const group of this.groups.values()) {
      if (!group.members.some((m) => m.topics.includes(topicName))) continue;
      safe = Math.min(safe, group.committed.get(`${topicName}/${partition}`) ?? 0);
    }
    let drop = 0;
    if (safe === Infinity) {
      drop = Math.max(0, p.messages.length - this.retainUnconsumed);
    } else {
      const cutoff = Date.now() - this.retentionMs;
      while (drop < p.messages.length && Number(p.messages[drop]!.offset) < safe && p.messages[drop]!.timestamp < cutoff) drop++;
    }
    if (drop === 0) return;
    const dropped = p.messages.splice(0, drop);
    if (topic.compacted) {
      // Compaction: the latest record of each key survives unless it is a tombstone.
      const kept = new Map<string, BusMessage>();
      for (const m of dropped) if (m.key) kept.set(m.key.toString(), m);
      const live = new Set(p.messages.map((m) => m.key?.toString()));
      const survivors = [...kept.values()].filter((m) => m.value !== null && !live.has(m.key!.toString()));
      p.messages.unshift(...survivors);
    }
  }

  rebalance(group: Group): void {
    group.generation++;
    const slots: Array<{ topic: string; partition: number }> = [];
    const topics = [...new Set(group.members.flatMap((m) => m.topics))].sort();
    for (const t of topics) for (let i = 0; i < this.partitionsOf(t); i++) slots.push({ topic: t, partition: i });
    const assignment = new Map<Member, Array<{ topic: string; partition: number }>>(group.members.map((m) => [m, []]));
    let i = 0;
    for (const slot of slots) {
      // Round robin among the members subscribed to the slot's topic.
      const eligible = group.members.filter((m) => m.topics.includes(slot.topic));
      if (eligible.length === 0) continue;
      assignment.get(eligible[i++ % eligible.length]!)!.push(slot);
    }
    for (const [member, slots] of assignment) member.assign(slots, group.generation);
  }

  private topic(name: string, compacted?: boolean): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      const spec = TOPIC_SPECS.find((s) => s.name === name);
      topic = {
        compacted: compacted ?? spec?.compacted ?? false,
        partitions: Array.from({ length: this.partitionCount }, () => ({ messages: [], nextOffset: 0 })),
      };
      this.topics.set(name, topic);
    }
    return topic;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}

/** One consumer of a group: owns some partitions, delivers their batches one at a time. */
class Member {
  readonly topics: string[];
  private owned: Array<{ topic: string; partition: number }> = [];
  private positions = new Map<string, number>();
  /** Committed offsets at assignment: below them, deliveries are replays. */
  private floors = new Map<string, number>();
  private generation = 0;
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly bus: MemoryBus,
    private readonly group: Group,
    private readonly options: ConsumeOptions,
  ) {
    this.topics = options.topics;
  }

  assign(slots: Array<{ topic: string; partition: number }>, generation: number): void {
    this.owned = slots;
    this.generation = generation;
    this.positions = new Map();
    this.floors = new Map();
    const fromTimestamp = this.options.fromTimestamp?.();
    for (const { topic, partition } of slots) {
      const id = `${topic}/${partition}`;
      const committed = this.group.committed.get(id);
      if (committed !== undefined) this.floors.set(id, committed);
      const start =
        fromTimestamp !== undefined
          ? this.bus.startOffset(topic, partition, false, fromTimestamp)
          : committed ?? this.bus.startOffset(topic, partition, this.options.fromBeginning ?? false);
      this.positions.set(id, start);
    }
    const byTopic = new Map<string, number[]>();
    for (const s of slots) byTopic.set(s.topic, [...(byTopic.get(s.topic) ?? []), s.partition]);
    this.options.onAssign?.([...byTopic].map(([topic, partitions]) => ({ topic, partitions })));
  }

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /**
   * Hands out batches of the owned partitions, round robin, with up to `concurrency` of them
   * in the handler at once; each partition has at most one batch in flight, so its records
   * stay in order. A partition whose handler threw waits out the redelivery backoff first.
   */
  private async run(): Promise<void> {
    const concurrency = Math.max(1, this.options.concurrency ?? 1);
    const inFlight = new Map<string, Promise<void>>();
    let next = 0;
    while (this.running && !this.bus.isClosed) {
      const owned = this.owned;
      for (let n = 0; n < owned.length && inFlight.size < concurrency && this.running; n++) {
        const { topic, partition } = owned[(next + n) % owned.length]!;
        const id = `${topic}/${partition}`;
        if (inFlight.has(id)) continue;
        const batch = this.take(topic, partition);
        if (!batch) continue;
        next = (next + n + 1) % Math.max(1, owned.length);
        inFlight.set(id, this.deliver(id, batch).finally(() => inFlight.delete(id)));
      }
      if (inFlight.size === 0) await this.bus.waitForData(100);
      else await Promise.race([...inFlight.values(), ...(inFlight.size < concurrency ? [this.bus.waitForData(100)] : [])]);
    }
    await Promise.all(inFlight.values());
  }

  /** The next batch of a partition from this member's position, or null when there is none. */
  private take(topic: string, partition: number): Batch | null {
    const id = `${topic}/${partition}`;
    const position = this.positions.get(id);
    if (position === undefined) return null;
    const messages = this.bus.read(topic, partition, position, this.options.maxBatchSize ?? 1000);
    if (messages.length === 0) return null;
    const floor = this.floors.get(id) ?? -1;
    return {
      topic,
      partition,
      messages: messages.map((m) => (Number(m.offset) < floor ? { ...m, replay: true } : m)),
      heartbeat: async () => {},
    };
  }

  /** Runs the handler on one batch; commits it when the handler resolves. */
  private async deliver(id: string, batch: Batch): Promise<void> {
    const generation = this.generation;
    try {
      await this.options.eachBatch(batch);
    } catch {
      // Redelivered from the same position after a pause, as a Kafka consumer would.
      await sleep(this.bus.redeliveryBackoffMs);
      return;
    }
    if (generation !== this.generation || !this.positions.has(id)) return; // revoked meanwhile
    const next = Number(batch.messages[batch.messages.length - 1]!.offset) + 1;
    this.positions.set(id, next);
    if (next > (this.group.committed.get(id) ?? -1)) this.group.committed.set(id, next);
    this.bus.trim(batch.topic, batch.partition);
  }
}

/** First index whose offset is >= `offset`. */
function lowerBound(messages: BusMessage[], offset: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (Number(messages[mid]!.offset) < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
