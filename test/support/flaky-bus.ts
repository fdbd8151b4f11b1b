/** A bus that can be switched off, to test what the collector does while Kafka is unreachable. */
import { BusUnavailableError } from '../../services/shared/errors.js';
import { MemoryBus } from '../../services/shared/bus/memory.js';
import type { OutgoingRecord } from '../../services/shared/bus/types.js';

export class FlakyBus extends MemoryBus {
  down = false;
  /** When set, produce hangs this long (a broker that does not answer) instead of failing fast. */
  hangMs = 0;

  override async produce(records: OutgoingRecord[]): Promise<void> {
    if (this.hangMs > 0) await new Promise((r) => setTimeout(r, this.hangMs));
    if (this.down) throw new BusUnavailableError('broker down (test)');
    return super.produce(records);
  }
}
