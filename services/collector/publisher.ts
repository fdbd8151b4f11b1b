/**
 * Puts accepted records on the bus without ever losing one. Normally records go straight to
 * the bus; when a produce fails or takes longer than the timeout, they go to the disk spool,
 * and so does everything after them until the spool has drained (in acceptance order), so
 * one key's events never overtake each other. A produce that timed out may still land later:
 * that duplicate is harmless, events carry ids and are deduplicated downstream.
 *
 * A record Kafka refuses as too large (RecordTooLargeError: the edge limit should prevent it,
 * but a broker or topic may have a lower limit than collector.max_event_bytes) will never be
 * taken: it is replaced by a dead letter saying so, and the records after it go on in order,
 * so it can neither wedge the spool nor hold back anyone else's events.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus, OutgoingRecord } from '../shared/bus/types.js';
import { RecordTooLargeError } from '../shared/errors.js';
import type { Logger } from '../shared/log.js';
import { refusedDeadLetter, refusedReason } from './refused.js';
import type { Spool } from './spool.js';

export type PublishOutcome = 'produced' | 'spooled';

/** A record Kafka refused as too large; `index` is its place in the records given to publish. */
export interface RefusedRecord {
  index: number;
  error: string;
}

export interface PublishResult {
  outcome: PublishOutcome;
  /** Refused while the caller waited (dead-lettered instead); the spool's refusals are only logged and counted. */
  refused: RefusedRecord[];
}

export interface PublisherHooks {
  onProduced?(records: number, seconds: number): void;
  onSpooled?(records: number): void;
  onDrained?(records: number): void;
  /** A record Kafka refused as too large, dead-lettered instead. */
  onRefused?(records: number): void;
  /** The dead letter of a refused record, refused in turn: nothing of it reached Kafka. */
  onDropped?(records: number): void;
}

/** Records of one batch not yet on the bus; `base` is the batch index of `records[0]`. */
interface Pending {
  records: OutgoingRecord[];
  base: number;
  refused: RefusedRecord[];
}

export interface PublisherOptions {
  produceTimeoutMs: number;
  /** Pause between drain attempts while the bus stays down (doubles up to 10x). */
  retryMs?: number;
  hooks?: PublisherHooks;
}

export class Publisher {
  private draining: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  /** Dead letters standing in for refused records: if Kafka refuses one of these too, it is dropped. */
  private readonly replacements = new WeakSet<OutgoingRecord>();

  constructor(
    private readonly bus: Bus,
    private readonly spool: Spool,
    private readonly log: Logger,
    private readonly options: PublisherOptions,
  ) {}

  /** 'direct' while the bus takes records, 'spooling' while the spool holds any. */
  get mode(): 'direct' | 'spooling' {
    return this.spool.isEmpty ? 'direct' : 'spooling';
  }

  /** Drains what a previous run left in the spool. */
  start(): void {
    if (!this.spool.isEmpty) this.startDrain();
  }

  /**
   * Resolves once the records are on the bus (or dead-lettered, when Kafka refused one as too
   * large) or durably spooled. Throws SpoolFullError when they are neither (the caller answers
   * 503), and only then.
   */
  async publish(records: OutgoingRecord[]): Promise<PublishResult> {
    if (records.length === 0) return { outcome: 'produced', refused: [] };
    if (!this.spool.isEmpty || this.stopped) return { outcome: await this.toSpool(records), refused: [] };
    const started = performance.now();
    const pending: Pending = { records, base: 0, refused: [] };
    try {
      await this.produceAll(pending);
      this.options.hooks?.onProduced?.(records.length, (performance.now() - started) / 1000);
      return { outcome: 'produced', refused: pending.refused };
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'bus unavailable; spooling accepted events to disk');
      // What came before the failure is on the bus already; the rest queues behind the spool.
      return { outcome: await this.toSpool(pending.records), refused: pending.refused };
    }
  }

  /** Stops draining; what is still spooled stays on disk for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.draining;
  }

  private async toSpool(records: OutgoingRecord[]): Promise<PublishOutcome> {
    await this.spool.append(records);
    this.options.hooks?.onSpooled?.(records.length);
    this.startDrain();
    return 'spooled';
  }

  private startDrain(): void {
    if (this.draining || this.stopped) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      // An append may have raced the last removal: start again rather than strand it.
      if (this.spool.segments > 0 && !this.stopped) this.startDrain();
    });
  }

  private async drain(): Promise<void> {
    const base = this.options.retryMs ?? 500;
    let pause = base;
    // Where the segment being drained stands, so a retry does not produce its first part again.
    let resume: { seq: number; pending: Pending } | undefined;
    while (!this.stopped && !this.spool.isEmpty) {
      let segment;
      try {
        segment = await this.spool.oldest();
      } catch (err) {
        this.log.error({ err }, 'spool segment unreadable');
        await sleep(pause);
        continue;
      }
      if (!segment) break;
      const pending = resume?.seq === segment.seq ? resume.pending : { records: segment.records, base: 0, refused: [] };
      try {
        await this.produceAll(pending);
        await this.spool.remove(segment.seq);
        resume = undefined;
        this.options.hooks?.onDrained?.(segment.records.length);
        pause = base;
      } catch (err) {
        resume = { seq: segment.seq, pending };
        this.log.debug({ err: (err as Error).message, spooled_bytes: this.spool.usedBytes }, 'bus still unavailable');
        await new Promise<void>((resolve) => {
          this.wake = resolve;
          void sleep(pause).then(resolve);
        });
        pause = Math.min(pause * 2, base * 10);
      }
    }
    if (this.spool.isEmpty) this.log.info('spool drained; producing directly again');
  }

  /**
   * Produces `pending.records` in order, each attempt within the produce timeout. A record Kafka
   * refuses as too large is replaced by its dead letter and the rest goes on; a dead letter
   * refused in turn is dropped, logged and counted. Any other failure rejects, and `pending`
   * then holds what is not on the bus yet.
   */
  private async produceAll(pending: Pending): Promise<void> {
    while (pending.records.length > 0) {
      try {
        await this.produceWithin(pending.records);
        pending.base += pending.records.length;
        pending.records = [];
        return;
      } catch (err) {
        if (!(err instanceof RecordTooLargeError)) throw err;
        const at = err.index;
        const record = pending.records[at]!;
        if (this.replacements.has(record)) {
          this.log.error({ topic: err.topic, bytes: err.bytes }, 'Kafka refused even the small dead letter of a refused record; dropped it');
          this.options.hooks?.onDropped?.(1);
          pending.records = pending.records.slice(at + 1);
          pending.base += at + 1;
          continue;
        }
        this.log.error(
          { topic: err.topic, bytes: err.bytes, key: record.key },
          'Kafka refused a record as too large; dead-lettered it instead (raise the broker / topic limit or lower collector.max_event_bytes)',
        );
        this.options.hooks?.onRefused?.(1);
        pending.refused.push({ index: pending.base + at, error: refusedReason(err.bytes) });
        const replacement = refusedDeadLetter(record, err);
        this.replacements.add(replacement);
        pending.records = [replacement, ...pending.records.slice(at + 1)];
        pending.base += at;
      }
    }
  }

  private async produceWithin(records: OutgoingRecord[]): Promise<void> {
    const attempt = this.bus.produce(records);
    attempt.catch(() => {}); // a late failure after the timeout must not surface as unhandled
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`produce took longer than ${this.options.produceTimeoutMs} ms`)), this.options.produceTimeoutMs);
    });
    try {
      await Promise.race([attempt, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}
