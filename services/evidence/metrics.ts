/** Everything the evidence writer exports on /metrics. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class EvidenceMetrics {
  readonly rows: Counter<'table'>;
  readonly duplicates: Counter<'table'>;
  readonly redactions: Counter<'table'>;
  readonly insertSeconds: Histogram<'table'>;
  readonly failures: Counter;
  readonly pendingRows: Gauge;
  readonly decodeErrors: Counter<'topic'>;
  readonly storeUp: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.rows = new Counter({ name: 'runwatch_evidence_rows_total', help: 'Rows stored, by table', labelNames: ['table'], registers });
    this.duplicates = new Counter({ name: 'runwatch_evidence_duplicates_total', help: 'Rows not stored because their id was stored already', labelNames: ['table'], registers });
    this.redactions = new Counter({ name: 'runwatch_evidence_redactions_total', help: 'Secrets and personal data replaced before storage', labelNames: ['table'], registers });
    this.insertSeconds = new Histogram({
      name: 'runwatch_evidence_insert_seconds',
      help: 'Time of one insert (duplicate check included)',
      labelNames: ['table'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.failures = new Counter({ name: 'runwatch_evidence_insert_failures_total', help: 'Inserts that failed and will be retried', registers });
    this.pendingRows = new Gauge({ name: 'runwatch_evidence_pending_rows', help: 'Rows waiting for their insert (consumption pauses when full)', registers });
    this.decodeErrors = new Counter({ name: 'runwatch_evidence_decode_errors_total', help: 'Messages that could not be decoded (sent to the dead-letter topic)', labelNames: ['topic'], registers });
    this.storeUp = new Gauge({ name: 'runwatch_evidence_store_up', help: '1 while the last insert succeeded, 0 while inserts fail', registers });
  }
}
