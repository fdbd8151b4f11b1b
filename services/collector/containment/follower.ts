/**
 * Keeps a collector's ContainmentState in step with runwatch.containment.v1: reads the
 * compacted topic from its start, then follows it live. Each collector is a consumer group of
 * its own (`runwatch-collector-<random>`, through followTopic), so every collector sees every
 * partition, not a share of them.
 *
 * `ready` resolves once the topic has been read up to where every partition ended when
 * following began (the bus's end offsets, Kafka's high watermarks) — or, once following has
 * started, after `catchUpTimeoutMs` at the latest. The timeout exists because a compacted
 * partition can end in a gap (a tombstone compacted away is the last offset): a reader never
 * gets a record at `high - 1` there and would wait forever. The timer starts only once the
 * bus answered, so a Kafka that is down at start keeps the follower not ready (and /v1/check
 * answering 503) rather than serving verdicts from an empty state.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { deadLetterOf } from '../../shared/bus/dead-letter.js';
import { followTopic, type Follower } from '../../shared/bus/follow.js';
import { TOPICS } from '../../shared/bus/topics.js';
import type { Bus, BusMessage, OutgoingRecord } from '../../shared/bus/types.js';
import { DecodeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/log.js';
import { decodeRecord, type DeadLetter } from '../../shared/records.js';
import type { ContainmentState } from './state.js';

export interface ContainmentFollowerOptions {
  bus: Bus;
  state: ContainmentState;
  log: Logger;
  /** Who follows (a collector, the responder's containment control): the stage of its dead letters. */
  stage: Extract<DeadLetter['stage'], 'collector' | 'responder'>;
  /** Longest wait for the initial catch-up once the bus answered. Default 10 s. */
  catchUpTimeoutMs?: number;
  /** Wait between attempts to start following while the bus is unavailable. Default 1 s. */
  retryMs?: number;
  hooks?: {
    /** Records applied (tombstones included). */
    onApplied?(n: number): void;
    /** A record that is not a Containment: skipped (dead-lettered unless replayed), never retried. */
    onUndecodable?(): void;
  };
}

export class ContainmentFollower {
  /** Resolves when the state holds what the topic held at start (or the catch-up timed out). */
  readonly ready: Promise<void>;
  private readyNow = false;
  private resolveReady!: () => void;
  private follower: Follower | undefined;
  private stopped = false;
  /** Cuts the wait between start attempts short (stop). */
  private readonly retryWait = new AbortController();
  private catchUpTimer: NodeJS.Timeout | undefined;
  private readonly starting: Promise<void>;

  private constructor(private readonly options: ContainmentFollowerOptions) {
    this.ready = new Promise<void>((resolve) => (this.resolveReady = resolve));
    this.starting = this.follow();
  }

  /** Starts following in the background; await `ready` before trusting verdicts. */
  static start(options: ContainmentFollowerOptions): ContainmentFollower {
    return new ContainmentFollower(options);
  }

  get isReady(): boolean {
    return this.readyNow;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retryWait.abort();
    clearTimeout(this.catchUpTimer);
    await this.starting;
    await this.follower?.stop();
  }

  /** Starts following, retrying while the bus is unavailable, until stopped. */
  private async follow(): Promise<void> {
    const { bus, log } = this.options;
    while (!this.stopped) {
      try {
        const follower = await followTopic(bus, {
          topic: TOPICS.containment,
          groupPrefix: 'runwatch-collector',
          onMessages: (messages) => this.apply(messages),
        });
        if (this.stopped) {
          await follower.stop();
          return;
        }
        this.follower = follower;
        this.catchUpTimer = setTimeout(() => this.timedOut(), this.options.catchUpTimeoutMs ?? 10_000);
        this.catchUpTimer.unref();
        void follower.caughtUp.then(() => this.markReady());
        return;
      } catch (err) {
        log.warn({ err: (err as Error).message }, 'cannot follow the containment topic yet; retrying');
        await sleep(this.options.retryMs ?? 1000, undefined, { signal: this.retryWait.signal }).catch(() => {});
      }
    }
  }

  private async apply(messages: BusMessage[]): Promise<void> {
    const { bus, state, log, hooks, stage } = this.options;
    let applied = 0;
    const dead: OutgoingRecord[] = [];
    for (const m of messages) {
      const key = m.key?.toString() ?? null;
      try {
        state.apply(key, m.value === null ? null : decodeRecord('Containment', m.value));
        applied++;
      } catch (err) {
        // A bad record must not stop the state: redelivering it would fail the same way forever.
        if (!(err instanceof DecodeError)) throw err;
        hooks?.onUndecodable?.();
        log.error({ err: err.message, partition: m.partition, offset: m.offset }, 'skipped an undecodable containment record');
        // The compacted topic is re-read on every start: dead-letter it when it arrives, not on each re-read.
        if (!m.replay) dead.push(deadLetterOf(stage, m, err.message));
      }
    }
    await bus.produce(dead);
    hooks?.onApplied?.(applied);
  }

  private markReady(): void {
    if (this.readyNow) return;
    clearTimeout(this.catchUpTimer);
    this.readyNow = true;
    this.resolveReady();
  }

  private timedOut(): void {
    if (this.readyNow || this.stopped) return;
    this.options.log.warn(
      { timeout_ms: this.options.catchUpTimeoutMs ?? 10_000 },
      'containment topic not read to its end within the catch-up timeout; /v1/check answers from the state read so far',
    );
    this.markReady();
  }
}
