/**
 * The behaviour services rely on from any bus, run against both implementations
 * (test/bus-memory.test.ts and test/bus.kafka.test.ts).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { followTopic } from '../../services/shared/bus/follow.js';
import type { Bus, BusMessage, ConsumeOptions, OutgoingRecord, Subscription } from '../../services/shared/bus/types.js';

export interface BusUnderTest {
  bus: Bus;
  /** Creates a topic with `partitions` partitions (Kafka does not auto-create them here). */
  createTopic(name: string, partitions: number): Promise<void>;
  close(): Promise<void>;
}

export function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return (async () => {
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await sleep(25);
    }
  })();
}

export function busContract(name: string, make: () => Promise<BusUnderTest>, timeoutMs: number): void {
  describe(`bus contract: ${name}`, () => {
    let ut: BusUnderTest | undefined;
    const subs: Subscription[] = [];
    const get = async (): Promise<BusUnderTest> => (ut ??= await make());
    after(async () => {
      await Promise.all(subs.map((s) => s.stop()));
      await ut?.close();
    });

    async function topic(partitions = 3): Promise<string> {
      const t = `test.${randomUUID()}`;
      await (await get()).createTopic(t, partitions);
      return t;
    }

    async function consume(options: Omit<ConsumeOptions, 'groupId'> & { groupId?: string }): Promise<Subscription> {
      const sub = await (await get()).bus.consume({ groupId: `g-${randomUUID()}`, fromBeginning: true, ...options });
      subs.push(sub);
      return sub;
    }

    function records(t: string, keys: string[], perKey: number): OutgoingRecord[] {
      const out: OutgoingRecord[] = [];
      for (let i = 0; i < perKey; i++) for (const k of keys) out.push({ topic: t, key: k, value: Buffer.from(`${k}#${i}`), headers: { n: String(i) } });
      return out;
    }

    test('what is produced is consumed unchanged, in order per key', async () => {
      const { bus } = await get();
      const t = await topic();
      const keys = ['tenant:a', 'tenant:b', 'tenant:c', 'tenant:d'];
      await bus.produce(records(t, keys, 25));
      const got: BusMessage[] = [];
      await consume({ topics: [t], eachBatch: async (b) => void got.push(...b.messages) });
      await waitFor(() => got.length >= 100, timeoutMs, '100 messages');
      assert.equal(got.length, 100);
      for (const k of keys) {
        const values = got.filter((m) => m.key?.toString() === k).map((m) => m.value!.toString());
        assert.deepEqual(values, Array.from({ length: 25 }, (_, i) => `${k}#${i}`));
      }
      assert.equal(got[0]!.headers.n, '0');
      // One key, one partition.
      for (const k of keys) assert.equal(new Set(got.filter((m) => m.key?.toString() === k).map((m) => m.partition)).size, 1);
    });

    test('a batch whose handler throws is delivered again; a committed one is not', async () => {
      const { bus } = await get();
      const t = await topic(1);
      await bus.produce(records(t, ['k'], 5));
      const groupId = `g-${randomUUID()}`;
      let attempts = 0;
      const done: string[] = [];
      const sub = await consume({
        groupId,
        topics: [t],
        eachBatch: async (b) => {
          attempts++;
          if (attempts === 1) throw new Error('processing failed');
          done.push(...b.messages.map((m) => m.value!.toString()));
        },
      });
      await waitFor(() => done.length >= 5, timeoutMs, 'redelivery');
      assert.deepEqual(done, ['k#0', 'k#1', 'k#2', 'k#3', 'k#4']);
      await sub.stop();
      subs.splice(subs.indexOf(sub), 1);
      // The same group, restarted, starts after what it committed.
      await bus.produce([{ topic: t, key: 'k', value: Buffer.from('k#5') }]);
      const later: string[] = [];
      await consume({ groupId, topics: [t], eachBatch: async (b) => void later.push(...b.messages.map((m) => m.value!.toString())) });
      await waitFor(() => later.length >= 1, timeoutMs, 'the new message');
      await sleep(300);
      assert.deepEqual(later, ['k#5']);
    });

    test('two groups each get everything; two members of one group share it, each message once', async () => {
      const { bus } = await get();
      const t = await topic(4);
      const groupId = `g-${randomUUID()}`;
      const shared: string[][] = [[], []];
      const other: string[] = [];
      await consume({ groupId, topics: [t], eachBatch: async (b) => void shared[0]!.push(...b.messages.map((m) => m.value!.toString())) });
      await consume({ groupId, topics: [t], eachBatch: async (b) => void shared[1]!.push(...b.messages.map((m) => m.value!.toString())) });
      await consume({ topics: [t], eachBatch: async (b) => void other.push(...b.messages.map((m) => m.value!.toString())) });
      // Let the group settle on two members before producing.
      await sleep(name === 'kafka' ? 4000 : 50);
      const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);
      await bus.produce(records(t, keys, 5));
      await waitFor(() => shared[0]!.length + shared[1]!.length >= 80 && other.length >= 80, timeoutMs, 'both groups');
      await sleep(300);
      const all = [...shared[0]!, ...shared[1]!];
      assert.equal(all.length, 80);
      assert.equal(new Set(all).size, 80);
      assert.equal(other.length, 80);
      assert.ok(shared[0]!.length > 0 && shared[1]!.length > 0, `both members got work (${shared[0]!.length}/${shared[1]!.length})`);
    });

    test('a consumer can start at a point in time', async () => {
      const { bus } = await get();
      const t = await topic(2);
      const now = Date.now();
      await bus.produce([0, 1, 2].map((i) => ({ topic: t, key: `k${i}`, value: Buffer.from(`old${i}`), timestamp: now - 3_600_000 })));
      await bus.produce([0, 1, 2].map((i) => ({ topic: t, key: `k${i}`, value: Buffer.from(`new${i}`), timestamp: now })));
      const got: string[] = [];
      await consume({ topics: [t], fromTimestamp: () => now - 60_000, eachBatch: async (b) => void got.push(...b.messages.map((m) => m.value!.toString())) });
      await waitFor(() => got.length >= 3, timeoutMs, 'recent messages');
      await sleep(500);
      assert.deepEqual(got.sort(), ['new0', 'new1', 'new2']);
    });

    test('a rewind to rebuild state marks what the group already processed as replay, and never moves commits back', async () => {
      const { bus } = await get();
      const t = await topic(1);
      const groupId = `g-${randomUUID()}`;
      const startedAt = Date.now() - 1000;
      await bus.produce(records(t, ['k'], 3));
      const first: string[] = [];
      const sub = await consume({ groupId, topics: [t], eachBatch: async (b) => void first.push(...b.messages.map((m) => m.value!.toString())) });
      await waitFor(() => first.length >= 3, timeoutMs, 'first pass');
      await sleep(200);
      await sub.stop();
      subs.splice(subs.indexOf(sub), 1);
      await bus.produce([{ topic: t, key: 'k', value: Buffer.from('k#3') }]);
      const rebuilt: Array<[string, boolean]> = [];
      const again = await consume({
        groupId,
        topics: [t],
        fromTimestamp: () => startedAt,
        eachBatch: async (b) => void rebuilt.push(...b.messages.map((m): [string, boolean] => [m.value!.toString(), m.replay === true])),
      });
      await waitFor(() => rebuilt.length >= 4, timeoutMs, 'replay and the new message');
      assert.deepEqual(rebuilt, [['k#0', true], ['k#1', true], ['k#2', true], ['k#3', false]]);
      await sleep(200);
      await again.stop();
      subs.splice(subs.indexOf(again), 1);
      await bus.produce([{ topic: t, key: 'k', value: Buffer.from('k#4') }]);
      const after: string[] = [];
      await consume({ groupId, topics: [t], eachBatch: async (b) => void after.push(...b.messages.map((m) => m.value!.toString())) });
      await waitFor(() => after.length >= 1, timeoutMs, 'the message after the commits');
      await sleep(300);
      assert.deepEqual(after, ['k#4']);
    });

    test('endOffsets says where each partition ends; a follower reads it all, says so, and follows on', async () => {
      const { bus } = await get();
      const t = await topic(3);
      await bus.produce(records(t, ['a', 'b', 'c', 'd', 'e'], 4));
      const ends = await bus.endOffsets(t);
      assert.deepEqual(ends.map((e) => e.partition), ends.map((_, i) => i), 'every partition, in order');
      assert.equal(ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0), 20);
      const seen: string[] = [];
      const follower = await followTopic(bus, { topic: t, groupPrefix: 'follow', onMessages: (ms) => void seen.push(...ms.map((m) => m.value!.toString())) });
      try {
        await follower.caughtUp;
        assert.equal(seen.length, 20, 'everything before it began, by the time it says it caught up');
        await bus.produce(records(t, ['z'], 1));
        await waitFor(() => seen.includes('z#0'), timeoutMs, 'a record produced later');
      } finally {
        await follower.stop();
      }
      const empty = await topic(2);
      const idle = await followTopic(bus, { topic: empty, groupPrefix: 'follow', onMessages: () => {} });
      await idle.caughtUp;
      await idle.stop();
    });

    test('ensureTopics creates the runwatch topics and is idempotent', async () => {
      const { bus } = await get();
      await bus.ensureTopics();
      await bus.ensureTopics();
    });
  });
}
