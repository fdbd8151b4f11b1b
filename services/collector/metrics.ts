/** Everything the collector exports on /metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class CollectorMetrics {
  readonly accepted: Counter<'kind'>;
  readonly rejected: Counter;
  readonly spooled: Counter;
  readonly drained: Counter;
  readonly refused: Counter;
  readonly dropped: Counter;
  readonly spoolBytes: Gauge;
  readonly produceSeconds: Histogram;

  constructor(registry: Registry, spoolBytes: () => number) {
    const registers = [registry];
    this.accepted = new Counter({ name: 'runwatch_collector_events_accepted_total', help: 'Events accepted, by kind', labelNames: ['kind'], registers });
    this.rejected = new Counter({ name: 'runwatch_collector_events_rejected_total', help: 'Events rejected as invalid or too large (sent to the dead-letter topic)', registers });
    this.spooled = new Counter({ name: 'runwatch_collector_records_spooled_total', help: 'Records written to the disk spool because the bus was unavailable', registers });
    this.drained = new Counter({ name: 'runwatch_collector_records_drained_total', help: 'Spooled records later produced to the bus', registers });
    this.refused = new Counter({
      name: 'runwatch_collector_records_refused_total',
      help: 'Accepted records Kafka refused as too large (a broker or topic limit below collector.max_event_bytes), dead-lettered instead',
      registers,
    });
    this.dropped = new Counter({
      name: 'runwatch_collector_records_dropped_total',
      help: 'Dead letters of refused records that Kafka refused too: nothing of them reached Kafka (each is logged)',
      registers,
    });
    this.spoolBytes = new Gauge({
      name: 'runwatch_collector_spool_bytes',
      help: 'Bytes waiting in the disk spool',
      registers,
      collect() {
        this.set(spoolBytes());
      },
    });
    this.produceSeconds = new Histogram({
      name: 'runwatch_collector_produce_seconds',
      help: 'Time for the bus to acknowledge one request batch',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
  }
}
