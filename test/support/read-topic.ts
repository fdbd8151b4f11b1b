/** Everything on a topic so far, read by a fresh consumer group, in partition then offset order. */
import { randomUUID } from 'node:crypto';
import type { Bus, BusMessage } from '../../services/shared/bus/types.js';
import { waitFor } from './bus-contract.js';

export async function readTopic(bus: Bus, topic: string, expected: number): Promise<BusMessage[]> {
  const got: BusMessage[] = [];
  const sub = await bus.consume({ groupId: `read-${randomUUID()}`, topics: [topic], fromBeginning: true, eachBatch: async (b) => void got.push(...b.messages) });
  try {
    await waitFor(() => got.length >= expected, 5000, `${expected} messages on ${topic} (have ${got.length})`);
    await new Promise((r) => setTimeout(r, 50)); // anything beyond `expected` shows up too
  } finally {
    await sub.stop();
  }
  return got.sort((a, b) => a.partition - b.partition || Number(a.offset) - Number(b.offset));
}
