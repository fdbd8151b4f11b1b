/** Everything a detector worker exports on /metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class DetectorMetrics {
  readonly events: Counter;
  readonly replayed: Counter;
  readonly detections: Counter<'rule' | 'severity'>;
  readonly evalSeconds: Histogram;
  readonly decodeErrors: Counter;
  readonly late: Counter<'rule'>;
  readonly suppressed: Counter<'rule'>;
  readonly evicted: Counter<'rule'>;
  readonly lagSeconds: Gauge;
  readonly groups: Gauge<'rule'>;
  readonly reloads: Counter<'outcome'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.events = new Counter({ name: 'runwatch_detector_events_total', help: 'Events evaluated', registers });
    this.replayed = new Counter({ name: 'runwatch_detector_events_replayed_total', help: 'Events re-read to rebuild window state after a rebalance', registers });
    this.detections = new Counter({ name: 'runwatch_detector_detections_total', help: 'Detections produced, by rule', labelNames: ['rule', 'severity'], registers });
    this.evalSeconds = new Histogram({
      name: 'runwatch_detector_eval_seconds',
      help: 'Rule evaluation time per event (all rules and detectors)',
      buckets: [0.00001, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05],
      registers,
    });
    this.decodeErrors = new Counter({ name: 'runwatch_detector_decode_errors_total', help: 'Messages that could not be decoded (sent to the dead-letter topic)', registers });
    this.late = new Counter({ name: 'runwatch_detector_late_events_total', help: 'Events too late for a correlation rule', labelNames: ['rule'], registers });
    this.suppressed = new Counter({ name: 'runwatch_detector_suppressed_total', help: 'Detections suppressed by dedup windows', labelNames: ['rule'], registers });
    this.evicted = new Counter({ name: 'runwatch_detector_groups_evicted_total', help: 'Correlation groups evicted by max_groups', labelNames: ['rule'], registers });
    this.lagSeconds = new Gauge({ name: 'runwatch_detector_lag_seconds', help: 'Now minus the collector receive time of the last event evaluated', registers });
    this.groups = new Gauge({ name: 'runwatch_detector_state_groups', help: 'Correlation groups held, by rule', labelNames: ['rule'], registers });
    this.reloads = new Counter({ name: 'runwatch_detector_rule_reloads_total', help: 'Rule pack reloads, by outcome', labelNames: ['outcome'], registers });
  }
}
