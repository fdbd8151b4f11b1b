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
