/**
 * The audit trail: one row per operator action through the API or the CLI, written straight
 * to the `audit` table. Rows are buffered briefly and inserted together; while the store is
 * down they wait (up to a bound, then the oldest are dropped and counted, loudly: an API that
 * refuses to answer because its audit trail is down would also refuse recovery actions).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../shared/log.js';
import type { Store } from '../shared/store/clickhouse.js';

export interface AuditEntry {
  /** Who: a token's digest prefix, `cli:<os user>`, or `anonymous` on a server without tokens. */
  actor: string;
  /** The tenant acted on, `*` for all. */
  tenant: string;
  via: 'api' | 'cli';
  /** What, e.g. `GET /v1/events`, `replay incident`. */
  action: string;
  /** The record acted on, e.g. a detection id; '' for lists. */
  target: string;
  /** The request's parameters, as given (never a token or a body with secrets). */
  params: Record<string, unknown>;
  /** HTTP status, or a CLI exit code. */
  status: number;
  source_ip: string;
}

const MAX_WAITING = 100_000;

export class AuditLog {
  private waiting: Array<Record<string, unknown>> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closing = false;
  dropped = 0;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly flushMs = 1000,
  ) {}

  record(entry: AuditEntry): void {
    this.waiting.push({ audit_id: randomUUID(), ts: Date.now(), ...entry, params: JSON.stringify(entry.params) });
    if (this.waiting.length > MAX_WAITING) {
      const over = this.waiting.length - MAX_WAITING;
      this.waiting.splice(0, over);
      this.dropped += over;
      this.log.error({ dropped: this.dropped }, 'audit rows dropped: the evidence store has been unavailable too long');
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushMs).unref();
  }

  /** Writes what waits; resolves when it is stored or the attempt failed (rows are kept). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.waiting.length === 0) return;
    const rows = this.waiting.splice(0);
    this.flushing = this.store.client
      .insert({ table: `${this.store.database}.audit`, values: rows, format: 'JSONEachRow', clickhouse_settings: { date_time_input_format: 'best_effort' } })
      .then(
        () => undefined,
        (err: unknown) => {
          this.waiting.unshift(...rows);
          this.log.warn({ err: (err as Error).message, waiting: this.waiting.length }, 'audit rows not stored yet; retrying');
          if (this.closing) return;
          this.timer ??= setTimeout(() => {
            this.timer = undefined;
            void this.flush();
          }, 5000).unref();
        },
      )
      .finally(() => {
        this.flushing = undefined;
      });
    await this.flushing;
  }

  /** One last attempt; what still cannot be stored is logged as lost rather than keeping the process alive. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.waiting.length > 0) {
      this.log.error({ lost: this.waiting.length }, 'audit rows not stored at shutdown: the evidence store is unavailable');
      this.waiting = [];
    }
  }
}
