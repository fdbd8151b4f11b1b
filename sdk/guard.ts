/**
 * The guard: asks the collector (`POST /v1/check`) whether an action may go ahead, before a
 * tool runs, and throws a `RunwatchDeniedError` carrying the reasons when it may not. Unlike
 * the client's event calls, which never throw, the guard is a security control: a "no" must
 * stop the caller.
 *
 * When no verdict can be had (network error, timeout, 5xx), the guard fails closed by
 * default: it throws `GuardUnavailableError` and the tool does not run. A quarantine exists
 * to stop an agent between two tool calls; an attacker who can make the collector
 * unreachable must not thereby switch the guard off. `failOpen: true` trades that for
 * availability (the action is allowed and the failure reported through `onError`). A 4xx
 * (bad token, invalid event) always throws: failing open there would hide a misconfiguration
 * forever.
 */
import { GuardUnavailableError, RunwatchDeniedError, RunwatchSdkError, type DenyReason } from './errors.js';
import { newEventId } from './ids.js';
import type { RunwatchEvent, ToolCallInput } from './types.js';
import { withDefaults, type EventDefaults } from './defaults.js';

/**
 * Options of `new RunwatchGuard(options)`; every field is optional. The connection and default
 * fields are the client's, so one options object can serve both.
 *
 * @example
 * const options: RunwatchGuardOptions = { url: 'http://127.0.0.1:8700', token: process.env.RUNWATCH_TOKEN, agentId: 'bot-1', timeoutMs: 500 };
 */
export interface RunwatchGuardOptions {
  /** Collector base URL. Default `http://127.0.0.1:8700`. */
  url?: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Defaults filled into each checked event that does not set them. */
  tenant?: string;
  app?: string;
  env?: string;
  agentId?: string;
  /** How long to wait for a verdict (the collector answers in milliseconds). Default 1000 ms. */
  timeoutMs?: number;
  /** Allow the action when no verdict can be had. Default false: fail closed. */
  failOpen?: boolean;
  /** Told about failures the guard did not throw (only with `failOpen`). Default: `console.warn`. */
  onError?: (error: RunwatchSdkError) => void;
  /** A fetch implementation; default the global one. */
  fetch?: typeof fetch;
}

/**
 * An allowed action. `failedOpen` is true when no verdict could be had and `failOpen` let it through.
 *
 * @example
 * const { eventId, failedOpen } = await guard.check({ name: 'search', arguments: { q } });
 */
export interface GuardAllowed {
  eventId: string;
  failedOpen: boolean;
}

/** More than this of an unexpected answer is not kept on the error. */
const MAX_BODY_CHARS = 64 * 1024;

/**
 * Checks proposed actions against the collector's containment state and inline rules.
 *
 * @example
 * const guard = new RunwatchGuard({ token: process.env.RUNWATCH_TOKEN, agentId: 'bot-1' });
 * await guard.check({ name: 'send_email', arguments: { to }, session_id }); // throws RunwatchDeniedError on deny
 * await sendEmail(to);
 */
export class RunwatchGuard {
  readonly #endpoint: string;
  readonly #headers: Record<string, string>;
  readonly #defaults: EventDefaults;
  readonly #timeoutMs: number;
  readonly #failOpen: boolean;
  readonly #onError: (error: RunwatchSdkError) => void;
  readonly #fetch: typeof fetch;

  constructor(options: RunwatchGuardOptions = {}) {
    this.#endpoint = `${(options.url ?? 'http://127.0.0.1:8700').replace(/\/+$/, '')}/v1/check`;
    this.#headers = { 'content-type': 'application/json' };
    if (options.token) this.#headers.authorization = `Bearer ${options.token}`;
    this.#defaults = { tenant: options.tenant, app: options.app, env: options.env, agent_id: options.agentId };
    const timeoutMs = options.timeoutMs ?? 1000;
    if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) throw new RunwatchSdkError('RW_ERR_SDK_OPTIONS', `timeoutMs must be a positive integer, got ${String(timeoutMs)}`);
    this.#timeoutMs = timeoutMs;
    this.#failOpen = options.failOpen ?? false;
    this.#onError = options.onError ?? ((error) => console.warn(`runwatch guard: ${error.message}`));
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') throw new RunwatchSdkError('RW_ERR_SDK_OPTIONS', 'no fetch available: pass options.fetch');
    this.#fetch = fetchFn;
  }

  /**
   * Asks whether a tool call may run. Resolves when allowed; throws `RunwatchDeniedError` on
   * deny, `GuardUnavailableError` when no verdict could be had (unless `failOpen`).
   *
   * @example
   * await guard.check({ name: 'http_get', arguments: { url }, target: url, session_id });
   */
  check(input: ToolCallInput): Promise<GuardAllowed> {
    const { name, call_id, arguments: args, result, status, target, ...common } = input ?? ({} as ToolCallInput);
    return this.checkEvent({ ...common, kind: 'tool_call', tool_call: { name, call_id, arguments: args, result, status, target } });
  }

  /**
   * The same for any raw v1 event (an output before it is shown, say).
   *
   * @example
   * await guard.checkEvent({ kind: 'output', session_id, output: { text: draft } });
   */
  async checkEvent(event: RunwatchEvent): Promise<GuardAllowed> {
    const given = (event as Partial<RunwatchEvent> | null | undefined)?.event_id;
    const eventId = typeof given === 'string' && given !== '' ? given : newEventId();
    let body: string;
    try {
      body = JSON.stringify(withDefaults(event, eventId, this.#defaults));
    } catch (cause) {
      throw new RunwatchSdkError('RW_ERR_SDK_NOT_SERIALIZABLE', `event could not be serialized: ${String(cause)}`, { eventIds: [eventId], cause });
    }
    const eventIds = [eventId];
    let status: number;
    let text: string;
    try {
      // The signal covers reading the answer too, so a collector that stalls mid-body still times out.
      const response = await this.#fetch(this.#endpoint, { method: 'POST', headers: this.#headers, body, signal: AbortSignal.timeout(this.#timeoutMs) });
      status = response.status;
      text = await response.text();
    } catch (cause) {
      return this.#unavailable(`no verdict from ${this.#endpoint}: ${(cause as Error).message}`, { status: null, body: null, eventIds, cause });
    }
    const cut = text.length > MAX_BODY_CHARS ? text.slice(0, MAX_BODY_CHARS) : text;
    if (status >= 500) return this.#unavailable(`no verdict: the collector answered ${status}`, { status, body: cut, eventIds });
    if (status !== 200) throw new RunwatchSdkError('RW_ERR_SDK_CHECK_INVALID', `the collector refused the check (${status}): ${cut}`, { status, body: cut, eventIds });
    const answer = parseVerdict(text);
    if (answer === null) return this.#unavailable('no verdict: the collector answered 200 without one', { status, body: cut, eventIds });
    if (answer.verdict === 'deny') throw new RunwatchDeniedError(answer.reasons, { eventIds });
    return { eventId, failedOpen: false };
  }

  /**
   * Checks, then runs `fn` only when allowed.
   *
   * @example
   * const page = await guard.run({ name: 'http_get', arguments: { url }, session_id }, () => httpGet(url));
   */
  async run<T>(input: ToolCallInput, fn: () => T | Promise<T>): Promise<T> {
    await this.check(input);
    return fn();
  }

  #unavailable(message: string, details: ConstructorParameters<typeof GuardUnavailableError>[1]): GuardAllowed {
    const error = new GuardUnavailableError(message, details);
    if (!this.#failOpen) throw error;
    this.#onError(error);
    return { eventId: details.eventIds[0]!, failedOpen: true };
  }
}

function parseVerdict(text: string): { verdict: 'allow' | 'deny'; reasons: DenyReason[] } | null {
  try {
    const value = JSON.parse(text) as { verdict?: unknown; reasons?: unknown };
    if ((value.verdict !== 'allow' && value.verdict !== 'deny') || !Array.isArray(value.reasons)) return null;
    return { verdict: value.verdict, reasons: value.reasons as DenyReason[] };
  } catch {
    return null;
  }
}
