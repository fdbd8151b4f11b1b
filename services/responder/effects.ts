/**
 * What performing a step does to the world: containment records on the compacted topic (every
 * collector follows it), HTTP calls to webhooks and key providers, and evidence snapshots.
 * Each is idempotent on the step: containment records are keyed by their subject, and HTTP
 * calls carry an `Idempotency-Key` naming the step, so a receiver can drop the repeat a crash
 * between the call and its recorded outcome may cause.
 */
import { TOPICS } from '../shared/bus/topics.js';
import type { Bus } from '../shared/bus/types.js';
import { RunwatchError } from '../shared/errors.js';
import { containmentKey, encodeRecord, type Containment } from '../shared/records.js';
import type { HttpRequest } from './playbooks/requests.js';

/** A step's side effect did not take: the run's `on_error` decides what follows. */
export class StepFailedError extends RunwatchError {
  constructor(message: string, cause?: unknown) {
    super('RW_ERR_STEP_FAILED', message, { retriable: true, cause });
  }
}

export interface Effects {
  contain(record: Containment): Promise<void>;
  /** Sends the request; resolves on a 2xx answer, throws StepFailedError otherwise. */
  send(request: HttpRequest, idempotencyKey: string): Promise<void>;
}

export interface EffectsOptions {
  bus: Bus;
  /** Longest wait for a webhook or provider to answer. */
  httpTimeoutMs?: number;
}

/** Answers from receivers are read up to this size, for the failure message. */
const MAX_ANSWER = 2048;

export function createEffects(options: EffectsOptions): Effects {
  const timeout = options.httpTimeoutMs ?? 10_000;
  return {
    async contain(record) {
      await options.bus.produce([{ topic: TOPICS.containment, key: containmentKey(record), value: encodeRecord('Containment', record), timestamp: record.updated_at }]);
    },
    async send(request, idempotencyKey) {
      let res: Response;
      try {
        res = await fetch(request.url, {
          method: request.method,
          headers: { ...request.headers, 'Idempotency-Key': idempotencyKey, 'User-Agent': 'runwatch-responder' },
          body: request.body,
          signal: AbortSignal.timeout(timeout),
          redirect: 'manual',
        });
      } catch (err) {
        throw new StepFailedError(`${request.method} ${hostOf(request.url)}: ${(err as Error).message}`, err);
      }
      const answer = (await res.text().catch(() => '')).slice(0, MAX_ANSWER);
      if (res.status < 200 || res.status > 299) {
        throw new StepFailedError(`${request.method} ${hostOf(request.url)} answered ${res.status}${answer ? `: ${answer.split('\n')[0]}` : ''}`);
      }
    },
  };
}

/** Only scheme and host go into messages and action rows: paths and queries may hold secrets. */
function hostOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '(invalid URL)';
  }
}
