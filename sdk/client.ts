/**
 * The client apps hold: event calls that queue and return at once, and one background
 * sender that drains the queue in order, one batch in flight at a time.
 *
 * Bookkeeping: every queued event gets a sequence number. `flush()` waits until nothing with
 * a number up to the last one queued at its call is still waiting or in flight; since the
 * queue is FIFO and the batch in flight always holds its oldest events, two comparisons tell.
 */
import { withDefaults, type EventDefaults } from './defaults.js';
import { deliverBatch, type BatchOutcome } from './delivery.js';
import { QueueOverflowError, RunwatchSdkError } from './errors.js';
import { newEventId } from './ids.js';
import { BoundedQueue } from './queue.js';
import { createSender, type Send } from './transport.js';
import type {
  OutputInput,
  PromptInput,
  RetrievalInput,
  RunwatchClientOptions,
  RunwatchEvent,
  RunwatchStats,
  ToolCallInput,
} from './types.js';

interface Pending {
  seq: number;
  id: string;
  json: string;
}

/** A pending `flush()`: resolved once every event up to `target` is settled. */
interface Waiter {
  target: number;
  resolve: () => void;
}

/** At most this many dropped ids ride on one overflow report: enough to look them up, bounded memory. */
const MAX_REPORTED_IDS = 100;

/**
 * Forwards telemetry to a runwatch collector. Event calls never block and never throw;
 * problems go to `onError`. Call `close()` on shutdown (a `beforeExit` hook covers a
 * process that simply runs out of work, but not `process.exit()` or signals).
 *
 * @example
 * const rw = new RunwatchClient({ token: process.env.RUNWATCH_TOKEN, app: 'support-bot', agentId: 'bot-1' });
 * rw.prompt({ messages: [{ role: 'user', content: question }], session_id });
 * await rw.close();
 */
export class RunwatchClient {
  readonly #batchSize: number;
  readonly #maxBatchBytes: number;
  readonly #flushIntervalMs: number;
  readonly #retry: { maxRetries: number; retryBaseMs: number };
  readonly #defaults: EventDefaults;
  readonly #onError: (error: RunwatchSdkError) => void;
  readonly #send: Send;
  readonly #queue: BoundedQueue<Pending>;

  #lastSeq = 0;
  /** Events up to this sequence number go out even in a part-filled batch (timer tick or flush). */
  #flushTarget = 0;
  #inFlight: { firstSeq: number; count: number } | null = null;
  #waiters: Waiter[] = [];
  #counts = { sent: 0, failed: 0, dropped: 0, rejected: 0 };
  #unreportedDrops: { count: number; ids: string[] } | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #exitHook: (() => void) | null = null;
  #closed = false;

  constructor(options: RunwatchClientOptions = {}) {
    this.#batchSize = positiveInt('batchSize', options.batchSize, 100);
    this.#maxBatchBytes = positiveInt('maxBatchBytes', options.maxBatchBytes, 4 * 1024 * 1024);
    this.#flushIntervalMs = positiveInt('flushIntervalMs', options.flushIntervalMs, 1000);
    this.#retry = {
      maxRetries: nonNegativeInt('maxRetries', options.maxRetries, 5),
      retryBaseMs: positiveInt('retryBaseMs', options.retryBaseMs, 200),
    };
    this.#defaults = { tenant: options.tenant, app: options.app, env: options.env, agent_id: options.agentId };
    this.#onError = options.onError ?? ((error) => console.warn(`runwatch sdk: ${error.message}`));
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') throw new RunwatchSdkError('RW_ERR_SDK_OPTIONS', 'no fetch available: pass options.fetch');
    this.#send = createSender({
      url: options.url ?? 'http://127.0.0.1:8700',
      token: options.token,
      timeoutMs: positiveInt('timeoutMs', options.timeoutMs, 10_000),
      fetch: fetchFn,
    });
    this.#queue = new BoundedQueue(positiveInt('maxQueue', options.maxQueue, 10_000));

    this.#timer = setInterval(() => this.#tick(), this.#flushIntervalMs);
    // Telemetry must never be the reason a process stays up; the beforeExit hook flushes instead.
    this.#timer.unref?.();
    if (typeof process !== 'undefined' && typeof process.on === 'function') {
      this.#exitHook = () => {
        // Starting a flush keeps the loop alive until it settles; then beforeExit fires again with nothing left.
        if (this.#pendingCount() > 0) void this.flush();
      };
      process.on('beforeExit', this.#exitHook);
    }
  }

  /**
   * Records what was sent to the model. Returns the event id.
   *
   * @example
   * rw.prompt({ messages: [{ role: 'system', content: sys }, { role: 'user', content: q }], model: 'gpt-4o', session_id });
   */
  prompt(input: PromptInput): string {
    const { messages, ...common } = input ?? ({} as PromptInput);
    return this.track({ ...common, kind: 'prompt', prompt: { messages } });
  }

  /**
   * Records what the model answered. Returns the event id.
   *
   * @example
   * rw.output({ text: reply, finish_reason: 'stop', usage: { input_tokens: 812, output_tokens: 64 }, session_id });
   */
  output(input: OutputInput): string {
    const { text, finish_reason, usage, ...common } = input ?? ({} as OutputInput);
    return this.track({ ...common, kind: 'output', output: { text, finish_reason, usage } });
  }

  /**
   * Records what a retrieval step put in front of the model. Returns the event id.
   *
   * @example
   * rw.retrieval({ query, documents: hits.map((h) => ({ id: h.id, source: 'kb', score: h.score, content: h.text })), session_id });
   */
  retrieval(input: RetrievalInput): string {
    const { query, documents, ...common } = input ?? ({} as RetrievalInput);
    return this.track({ ...common, kind: 'retrieval', retrieval: { query, documents } });
  }

  /**
   * Records a tool call an agent made (or proposed). Returns the event id.
   *
   * @example
   * rw.toolCall({ name: 'send_email', arguments: { to }, status: 'ok', target: 'smtp.internal', call_id, session_id });
   */
  toolCall(input: ToolCallInput): string {
    const { name, call_id, arguments: args, result, status, target, ...common } = input ?? ({} as ToolCallInput);
    return this.track({ ...common, kind: 'tool_call', tool_call: { name, call_id, arguments: args, result, status, target } });
  }

  /**
   * Queues one raw v1 event, filling `event_id`, `ts` and the client's defaults when absent.
   * Returns the event id. The event is serialized now, so later changes to the object are not sent.
   *
   * @example
   * const id = rw.track({ kind: 'tool_call', agent_id: 'planner', tool_call: { name: 'http_get', arguments: { url } } });
   */
  track(event: RunwatchEvent): string {
    const given = (event as Partial<RunwatchEvent> | null | undefined)?.event_id;
    const id = typeof given === 'string' && given !== '' ? given : newEventId();
    if (this.#closed) {
      this.#counts.failed++;
      this.#reportLater(new RunwatchSdkError('RW_ERR_SDK_CLOSED', 'event sent after close(); not delivered', { eventIds: [id] }));
      return id;
    }
    let json: string;
    try {
      json = JSON.stringify(withDefaults(event, id, this.#defaults));
    } catch (cause) {
      // BigInt, circular structures, a throwing toJSON: the app's data, reported rather than thrown.
      this.#counts.failed++;
      this.#reportLater(new RunwatchSdkError('RW_ERR_SDK_NOT_SERIALIZABLE', `event could not be serialized: ${String(cause)}`, { eventIds: [id], cause }));
      return id;
    }
    const dropped = this.#queue.push({ seq: ++this.#lastSeq, id, json });
    if (dropped) this.#noteDrop(dropped);
    this.#pump();
    return id;
  }

  /**
   * Sends everything queued so far and resolves once each of those events is settled (sent,
   * rejected, failed or dropped). Never rejects; failures go to `onError`.
   *
   * @example
   * await rw.flush(); // e.g. at the end of a serverless invocation
   */
  flush(): Promise<void> {
    const target = this.#lastSeq;
    if (this.#settledThrough(target)) return Promise.resolve();
    this.#flushTarget = Math.max(this.#flushTarget, target);
    return new Promise((resolve) => {
      this.#waiters.push({ target, resolve });
      this.#pump();
    });
  }

  /**
   * Flushes, stops the timer and removes the `beforeExit` hook. Events sent afterwards are
   * reported through `onError` and counted as failed. Safe to call more than once.
   *
   * @example
   * process.once('SIGTERM', () => void rw.close().then(() => process.exit(0)));
   */
  async close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = null;
      if (this.#exitHook) process.off('beforeExit', this.#exitHook);
      this.#exitHook = null;
    }
    await this.flush();
  }

  /**
   * Event counts since creation.
   *
   * @example
   * const { queued, sent, failed, dropped, rejected } = rw.stats();
   */
  stats(): RunwatchStats {
    return { queued: this.#pendingCount(), ...this.#counts };
  }

  #pendingCount(): number {
    return this.#queue.size + (this.#inFlight?.count ?? 0);
  }

  #tick(): void {
    if (this.#queue.size === 0) return;
    this.#flushTarget = this.#lastSeq;
    this.#pump();
  }

  /** Starts the next batch when none is in flight and one is due: full, or covered by a flush. */
  #pump(): void {
    if (this.#inFlight) return;
    const head = this.#queue.peek();
    if (!head || (this.#queue.size < this.#batchSize && head.seq > this.#flushTarget)) return;

    const batch: Pending[] = [];
    let bytes = 2;
    for (let next = this.#queue.peek(); next && batch.length < this.#batchSize; next = this.#queue.peek()) {
      // Keep under the collector's body limit (413 would lose the whole batch); a lone oversized event still goes.
      const size = utf8Length(next.json) + 1;
      if (batch.length > 0 && bytes + size > this.#maxBatchBytes) break;
      bytes += size;
      batch.push(next);
      this.#queue.shift();
    }
    this.#inFlight = { firstSeq: head.seq, count: batch.length };
    void this.#deliver(batch).finally(() => {
      this.#inFlight = null;
      this.#wakeWaiters();
      this.#pump();
    });
  }

  async #deliver(batch: Pending[]): Promise<void> {
    const eventIds = batch.map((p) => p.id);
    let outcome: BatchOutcome;
    try {
      outcome = await deliverBatch({ body: `[${batch.map((p) => p.json).join(',')}]`, eventIds }, this.#send, this.#retry);
    } catch (cause) {
      // deliverBatch handles every answer; this is a bug or a broken custom fetch, still not the app's problem.
      this.#counts.failed += batch.length;
      this.#report(new RunwatchSdkError('RW_ERR_SDK_DELIVERY', `delivery failed unexpectedly: ${String(cause)}`, { eventIds, cause }));
      return;
    }
    if (outcome.type === 'accepted') {
      this.#counts.sent += batch.length;
    } else if (outcome.type === 'partial') {
      const rejected = Math.min(outcome.error.rejected.length, batch.length);
      this.#counts.rejected += rejected;
      this.#counts.sent += batch.length - rejected;
      this.#report(outcome.error);
    } else {
      this.#counts.failed += batch.length;
      this.#report(outcome.error);
    }
  }

  #settledThrough(target: number): boolean {
    if (this.#inFlight && this.#inFlight.firstSeq <= target) return false;
    const head = this.#queue.peek();
    return !head || head.seq > target;
  }

  #wakeWaiters(): void {
    if (this.#waiters.length === 0) return;
    const still: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (this.#settledThrough(waiter.target)) waiter.resolve();
      else still.push(waiter);
    }
    this.#waiters = still;
  }

  /** Drops of one synchronous burst become one report, delivered off the app's call stack. */
  #noteDrop(dropped: Pending): void {
    this.#counts.dropped++;
    this.#wakeWaiters();
    if (this.#unreportedDrops) {
      this.#unreportedDrops.count++;
      if (this.#unreportedDrops.ids.length < MAX_REPORTED_IDS) this.#unreportedDrops.ids.push(dropped.id);
      return;
    }
    this.#unreportedDrops = { count: 1, ids: [dropped.id] };
    queueMicrotask(() => {
      const drops = this.#unreportedDrops;
      this.#unreportedDrops = null;
      if (drops) this.#report(new QueueOverflowError(drops.count, drops.ids));
    });
  }

  #reportLater(error: RunwatchSdkError): void {
    queueMicrotask(() => this.#report(error));
  }

  #report(error: RunwatchSdkError): void {
    try {
      this.#onError(error);
    } catch {
      // A throwing onError must not stop delivery of the events that follow.
    }
  }
}

/** Bytes of `s` as UTF-8, without allocating an encoded copy. */
function utf8Length(s: string): number {
  let bytes = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 2 bytes below U+0800, 3 above; each half of a surrogate pair adds 1 (4 bytes in all).
    if (c >= 0x80) bytes += c < 0x800 || (c >= 0xd800 && c <= 0xdfff) ? 1 : 2;
  }
  return bytes;
}

function positiveInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new RunwatchSdkError('RW_ERR_SDK_OPTIONS', `${name} must be a positive integer, got ${String(value)}`);
  return v;
}

function nonNegativeInt(name: string, value: number | undefined, fallback: number): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 0) throw new RunwatchSdkError('RW_ERR_SDK_OPTIONS', `${name} must be a non-negative integer, got ${String(value)}`);
  return v;
}
