/** Everything the hunt scheduler exports on /metrics. */
import { Counter, Histogram, type Registry } from 'prom-client';

export type HuntOutcomeLabel = 'ok' | 'failed' | 'skipped';

export class HuntMetrics {
  readonly runs: Counter<'hunt' | 'outcome'>;
  readonly detections: Counter<'hunt' | 'severity'>;
  readonly seconds: Histogram<'hunt'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runs = new Counter({
      name: 'runwatch_hunt_runs_total',
      help: 'Hunt runs, by outcome: ok, failed (logged, tried again at the next tick), skipped (the previous run was still going)',
      labelNames: ['hunt', 'outcome'],
      registers,
    });
    this.detections = new Counter({ name: 'runwatch_hunt_detections_total', help: 'Detections hunts published (repeats within a dedup window not counted)', labelNames: ['hunt', 'severity'], registers });
    this.seconds = new Histogram({
      name: 'runwatch_hunt_run_seconds',
      help: 'Time of one hunt run, query and publishing included',
      labelNames: ['hunt'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    });
  }
}
