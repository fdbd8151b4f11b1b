/**
 * The evidence writer: a consumer group on telemetry, detections and actions that stores
 * every record in ClickHouse once.
 *
 * Batches from all partitions gather in one buffer and go out as one insert per table when
 * `batch_rows` rows wait or the oldest waited `flush_ms`. Each batch's handler resolves only
 * after its rows' insert was acknowledged, so offsets are committed only then; while
 * ClickHouse is down the insert is retried with backoff and the handlers keep waiting, which
 * pauses consumption: memory holds at most one buffer per partition in flight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeEvent } from '../shared/avro/telemetry.js';
import { deadLetterOf } from '../shared/bus/dead-letter.js';
import { TOPICS } from '../shared/bus/topics.js';
import type { Batch, Bus, OutgoingRecord, Subscription } from '../shared/bus/types.js';
import type { Config } from '../shared/config/schema.js';
import { DecodeError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import type { Registry } from '../shared/metrics.js';
import { decodeRecord } from '../shared/records.js';
import type { Store } from '../shared/store/clickhouse.js';
import { insertOnce, type IdTable } from './inserter.js';
import { EvidenceMetrics } from './metrics.js';
import { Redactor } from './redact.js';
import { actionRow, detectionRow, eventRow, type Row } from './rows.js';

export interface EvidenceWriterOptions {
  bus: Bus;
  store: Store;
  log: Logger;
  registry: Registry;
  config: Config['evidence'];
  /** First and longest wait between attempts of a failing insert. */
  retry?: { initialMs: number; maxMs: number };
}

const TABLE_OF_TOPIC: Record<string, IdTable> = {
  [TOPICS.telemetry]: 'events',
  [TOPICS.detections]: 'detections',
  [TOPICS.actions]: 'actions',
};

/** Tables in insert order: a detection's events are stored before it, its actions after. */
const TABLE_ORDER: readonly IdTable[] = ['events', 'detections', 'actions'];

interface Waiting {
  rows: Map<IdTable, Row[]>;
  count: number;
  heartbeat: () => Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class WriterStoppedError extends Error {
  constructor() {
    super('the evidence writer stopped before the insert was acknowledged');
    this.name = 'WriterStoppedError';
  }
}

export class EvidenceWriter {
  private readonly metrics: EvidenceMetrics;
  private readonly redactor: Redactor;
  private subscription: Subscription | undefined;
  private waiting: Waiting[] = [];
  private waitingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private draining = false;
  private stopping = false;
  /** Rows stored since start, by table (tests and the bench read it). */
  readonly stored: Record<IdTable, number> = { events: 0, detections: 0, actions: 0 };

  constructor(private readonly options: EvidenceWriterOptions) {
    this.metrics = new EvidenceMetrics(options.registry);
    this.redactor = new Redactor(options.config.redaction);
    this.metrics.storeUp.set(1);
  }

  async start(): Promise<void> {
    this.subscription = await this.options.bus.consume({
      groupId: this.options.config.group_id,
      topics: [TOPICS.telemetry, TOPICS.detections, TOPICS.actions],
      fromBeginning: true,
      maxBatchSize: this.options.config.batch_rows,
      concurrency: 64,
      eachBatch: (batch) => this.handle(batch),
    });
    this.options.log.info({ group: this.options.config.group_id, store: this.options.store.location }, 'evidence writer started');
  }

  /**
   * Stops consuming. What waits is inserted first (one attempt more if it fails); rows not
   * acknowledged stay uncommitted and are delivered again to whoever consumes next.
   */
  async stop(): Promise<void> {
    this.draining = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.schedule();
    // The consumer leaves its group once the handlers in flight return, i.e. after that flush.
    await subscription?.stop();
    while (this.flushing) await this.flushing;
    this.stopping = true;
    for (const w of this.waiting.splice(0)) w.reject(new WriterStoppedError());
    this.waitingRows = 0;
  }

  private async handle(batch: Batch): Promise<void> {
    const table = TABLE_OF_TOPIC[batch.topic];
    if (!table) return;
    const rows: Row[] = [];
    const dead: OutgoingRecord[] = [];
    for (const message of batch.messages) {
      if (!message.value) continue;
      try {
        rows.push(this.toRow(table, message.value));
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
        this.metrics.decodeErrors.inc({ topic: batch.topic });
        dead.push(deadLetterOf('evidence', message, err.message));
      }
    }
    if (dead.length > 0) await this.options.bus.produce(dead);
    if (rows.length === 0) return;
    await new Promise<void>((resolve, reject) => {
      if (this.stopping) return reject(new WriterStoppedError());
      this.waiting.push({ rows: new Map([[table, rows]]), count: rows.length, heartbeat: batch.heartbeat, resolve, reject });
      this.waitingRows += rows.length;
      this.metrics.pendingRows.set(this.waitingRows);
      this.schedule();
    });
  }

  private toRow(table: IdTable, value: Buffer): Row {
    if (table === 'events') {
      const { value: event, count } = this.redactor.event(decodeEvent(value));
      if (count > 0) this.metrics.redactions.inc({ table }, count);
      return eventRow(event, count);
    }
    if (table === 'detections') {
      const d = decodeRecord('Detection', value);
      const summary = this.redactor.text(d.tenant, d.summary);
      if (summary.count > 0) this.metrics.redactions.inc({ table }, summary.count);
      return detectionRow({ ...d, summary: summary.value });
    }
    const a = decodeRecord('Action', value);
    const detail = this.redactor.text(a.tenant, a.detail);
    if (detail.count > 0) this.metrics.redactions.inc({ table }, detail.count);
    return actionRow({ ...a, detail: detail.value });
  }

  /** Flushes now when a full batch waits, else once the oldest rows waited flush_ms. */
  private schedule(): void {
    if (this.flushing) return; // the running flush looks again when it is done
    if (this.waiting.length > 0 && (this.draining || this.waitingRows >= this.options.config.batch_rows)) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.flushing = this.flush().finally(() => {
        this.flushing = undefined;
        if (this.waiting.length > 0) this.schedule();
      });
    } else if (!this.timer && this.waiting.length > 0) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        if (this.flushing) return;
        this.flushing = this.flush().finally(() => {
          this.flushing = undefined;
          if (this.waiting.length > 0) this.schedule();
        });
      }, this.options.config.flush_ms);
    }
  }

  private async flush(): Promise<void> {
    const taken = this.waiting.splice(0);
    this.waitingRows = 0;
    this.metrics.pendingRows.set(0);
    const byTable = new Map<IdTable, Row[]>();
    for (const w of taken) for (const [table, rows] of w.rows) byTable.set(table, [...(byTable.get(table) ?? []), ...rows]);
    try {
      for (const table of TABLE_ORDER) {
        const rows = byTable.get(table);
        if (rows) await this.insertWithRetry(table, rows, taken);
      }
    } catch (err) {
      for (const w of taken) w.reject(err as Error);
      return;
    }
    for (const w of taken) w.resolve();
  }

  private async insertWithRetry(table: IdTable, rows: Row[], taken: Waiting[]): Promise<void> {
    const { initialMs, maxMs } = this.options.retry ?? { initialMs: 200, maxMs: 10_000 };
    let wait = initialMs;
    for (let attempt = 1; ; attempt++) {
      if (this.stopping || (this.draining && attempt > 2)) throw new WriterStoppedError();
      const started = performance.now();
      try {
        const result = await insertOnce(this.options.store, table, rows);
        this.metrics.insertSeconds.observe({ table }, (performance.now() - started) / 1000);
        this.metrics.rows.inc({ table }, result.inserted);
        if (result.duplicates > 0) this.metrics.duplicates.inc({ table }, result.duplicates);
        this.stored[table] += result.inserted;
        if (attempt > 1) this.options.log.info({ table, rows: rows.length, attempts: attempt }, 'evidence store is back; insert done');
        this.metrics.storeUp.set(1);
        return;
      } catch (err) {
        this.metrics.failures.inc();
        this.metrics.storeUp.set(0);
        const level = attempt === 1 || attempt % 10 === 0 ? 'warn' : 'debug';
        this.options.log[level]({ table, rows: rows.length, attempt, err: (err as Error).message }, 'insert into the evidence store failed; retrying');
      }
      // The consumer group must not take these partitions away while we wait for ClickHouse.
      await Promise.all(taken.map((w) => w.heartbeat().catch(() => {})));
      await sleep(wait);
      wait = Math.min(maxMs, wait * 2);
    }
  }
}
