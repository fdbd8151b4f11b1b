/** What the collector's containment enforcement exports on /metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SubjectType } from '../../shared/records.js';

export class ContainmentMetrics {
  readonly active: Gauge<'subject_type'>;
  readonly applied: Counter;
  readonly undecodable: Counter;
  readonly ready: Gauge;
  readonly checks: Counter<'verdict'>;
  readonly checkSeconds: Histogram;

  constructor(registry: Registry, counts: () => Record<SubjectType, number>, isReady: () => boolean) {
    const registers = [registry];
    this.active = new Gauge({
      name: 'runwatch_collector_containments_active',
      help: 'Containments in force in this collector, by subject type (agent, key, session)',
      labelNames: ['subject_type'],
      registers,
      collect() {
        for (const [type, n] of Object.entries(counts())) this.set({ subject_type: type }, n);
      },
    });
    this.applied = new Counter({ name: 'runwatch_collector_containment_records_applied_total', help: 'Records of runwatch.containment.v1 applied to the local state', registers });
    this.undecodable = new Counter({ name: 'runwatch_collector_containment_records_undecodable_total', help: 'Records of runwatch.containment.v1 that could not be decoded (skipped)', registers });
    this.ready = new Gauge({
      name: 'runwatch_collector_containment_ready',
      help: '1 once the containment topic was read up to where it ended at start (or the catch-up timeout passed)',
      registers,
      collect() {
        this.set(isReady() ? 1 : 0);
      },
    });
    this.checks = new Counter({ name: 'runwatch_collector_checks_total', help: 'POST /v1/check answers, by verdict', labelNames: ['verdict'], registers });
    this.checkSeconds = new Histogram({
      name: 'runwatch_collector_check_seconds',
      help: 'Time to decide one /v1/check verdict (validation, containment state, inline rules)',
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05],
      registers,
    });
  }
}
