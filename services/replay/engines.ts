/**
 * The rule engines of a backtest, one per partition of the telemetry topic, as the detector
 * workers run them: an engine's window state is its partition's, so a correlation by a key
 * that spans agents (a key used from many IPs) only sees the events that share a partition,
 * in production and here alike. Events go to the partition Kafka (and the embedded bus)
 * would put them in: the key `tenant:agent_id`, murmur2 over the partition count.
 */
import { partitionFor } from '../shared/bus/partitioner.js';
import { eventKey } from '../shared/events/normalize.js';
import type { TelemetryEvent } from '../shared/events/schema.js';
import type { Detection } from '../shared/records.js';
import { RuleEngine, type CompiledPack, type DetectorRunner } from '../shared/rules/index.js';

export class PartitionedEngines {
  private readonly engines: RuleEngine[];

  constructor(pack: CompiledPack, detectors: DetectorRunner, partitions: number) {
    this.engines = Array.from({ length: partitions }, () => new RuleEngine(pack, { detectors }));
  }

  /** With `warmup`, the event only builds window state (it precedes the range), as a worker's rebuild does. */
  process(event: TelemetryEvent, warmup: boolean): Detection[] {
    const engine = this.engines[partitionFor(eventKey(event), this.engines.length)]!;
    return engine.process(event, { replay: warmup });
  }

  /** Closes every window: what only time decides (absences) is decided now. */
  flush(): Detection[] {
    return this.engines.flatMap((e) => e.flush());
  }
}
