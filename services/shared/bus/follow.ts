/**
 * Following a topic whole: every record from the oldest kept on, then new ones as they come.
 * How a service rebuilds state from a topic (the collectors' containment state, the
 * responder's step ledger) and knows when it has: `caughtUp` resolves once it has read up to
 * where every partition ended when following began.
 *
 * Each follower is a consumer group of its own (`<prefix>-<random>`), so every instance sees
 * every partition; Kafka forgets such a group's offsets after its offsets retention.
 */
import { randomUUID } from 'node:crypto';
import type { Bus, BusMessage } from './types.js';

export interface FollowOptions {
  topic: string;
  /** Start of the group id; a random suffix makes it this instance's own. */
  groupPrefix: string;
  /**
   * Called with each batch of one partition, in offset order. A throw delivers it again.
   * Records that were on the topic when following began come with `replay: true`: this
   * instance re-reads them to rebuild its state, and the instances before it already acted
   * on them (a poison record, say, was dead-lettered once, not once per restart).
   */
  onMessages(messages: BusMessage[]): void | Promise<void>;
}

export interface Follower {
  /** Resolves once everything that was on the topic when following began has been handled. */
  readonly caughtUp: Promise<void>;
  stop(): Promise<void>;
}

export async function followTopic(bus: Bus, options: FollowOptions): Promise<Follower> {
  const ends = await bus.endOffsets(options.topic);
  // Partitions still to read up to `high`; empty ones are read already.
  const remaining = new Map(ends.filter((e) => BigInt(e.high) > BigInt(e.low)).map((e) => [e.partition, BigInt(e.high)]));
  const startedAt = new Map(ends.map((e) => [e.partition, BigInt(e.high)]));
  let resolve!: () => void;
  const caughtUp = new Promise<void>((r) => (resolve = r));
  if (remaining.size === 0) resolve();
  const subscription = await bus.consume({
    groupId: `${options.groupPrefix}-${randomUUID()}`,
    topics: [options.topic],
    fromBeginning: true,
    eachBatch: async (batch) => {
      const live = startedAt.get(batch.partition) ?? 0n;
      await options.onMessages(batch.messages.map((m) => (BigInt(m.offset) < live ? { ...m, replay: true } : m)));
      const end = remaining.get(batch.partition);
      const last = batch.messages[batch.messages.length - 1];
      if (end !== undefined && last && BigInt(last.offset) + 1n >= end) {
        remaining.delete(batch.partition);
        if (remaining.size === 0) resolve();
      }
    },
  });
  return { caughtUp, stop: () => subscription.stop() };
}
