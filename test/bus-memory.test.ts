import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryBus } from '../services/shared/bus/memory.js';
import { busContract } from './support/bus-contract.js';

busContract(
  'memory',
  async () => {
    const bus = new MemoryBus({ partitions: 4, redeliveryBackoffMs: 20 });
    return {
      bus,
      // The embedded bus creates topics on first use, with its configured partition count.
      createTopic: async () => {},
      close: () => bus.close(),
    };
  },
  5000,
);

test('memory: a topic nobody consumes keeps only its newest records, so memory stays bounded', async () => {
  const bus = new MemoryBus({ partitions: 1, retainUnconsumed: 100 });
  for (let i = 0; i < 10; i++) {
    await bus.produce(Array.from({ length: 50 }, (_, j) => ({ topic: 'loose', key: 'k', value: Buffer.from(String(i * 50 + j)) })));
  }
  const kept = bus.read('loose', 0, 0, 10_000);
  assert.equal(kept.length, 100);
  assert.equal(kept[0]!.offset, '400');
  assert.equal(kept.at(-1)!.value!.toString(), '499');
  await bus.close();
});
