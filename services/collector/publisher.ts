/**
 * Puts accepted records on the bus without ever losing one. Normally records go straight to
 * the bus; when a produce fails or takes longer than the timeout, they go to the disk spool,
 * and so does everything after them until the spool has drained (in acceptance order), so
 * one key's events never overtake each other. A produce that timed out may still land later:
 * that duplicate is harmless, events carry ids and are deduplicated downstream.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Bus, OutgoingRecord } from '../shared/bus/types.js';
import type { Logger } from '../shared/log.js';
import type { Spool } from './spool.js';

export type PublishOutcome = 'produced' | 'spooled';

export interface PublisherHooks {
  onProduced?(records: number, seconds: number): void;
  onSpooled?(records: number): void;
  onDrained?(records: number): void;
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
   * Resolves once the records are on the bus or durably spooled. Throws SpoolFullError when
   * they are neither (the caller answers 503), and only then.
   */
  async publish(records: OutgoingRecord[]): Promise<PublishOutcome> {
    if (records.length === 0) return 'produced';
    if (!this.spool.isEmpty || this.stopped) return this.toSpool(records);
    const started = performance.now();
    try {
      await this.produceWithin(records);
      this.options.hooks?.onProduced?.(records.length, (performance.now() - started) / 1000);
      return 'produced';
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'bus unavailable; spooling accepted events to disk');
      return this.toSpool(records);
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
      try {
        await this.produceWithin(segment.records);
        await this.spool.remove(segment.seq);
        this.options.hooks?.onDrained?.(segment.records.length);
        pause = base;
      } catch (err) {
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
