/**
 * The SDK's own view of the v1 event contract (DESIGN.md "Event contract (v1)"), kept
 * separate from services/ so an app can ship the SDK alone. Fields are snake_case, exactly
 * as sent on the wire; `null` and absent both mean "not set", as the collector reads them.
 */
import type { RunwatchSdkError } from './errors.js';

/** The four kinds of telemetry event. */
export type EventKind = 'prompt' | 'output' | 'retrieval' | 'tool_call';

/** Outcome of a tool call. */
export type ToolStatus = 'ok' | 'error' | 'denied';

/**
 * Fields every event may carry. Those left out are filled from the client's defaults
 * (tenant, app, env, agent_id) or generated (event_id, ts).
 *
 * @example
 * const common: EventCommon = { session_id: 'run-42', user_id: 'u-7', model: 'gpt-4o' };
 */
export interface EventCommon {
  /** Printable ASCII without spaces, at most 128 characters; generated when absent. */
  event_id?: string;
  /** When it happened in the app: epoch ms or ISO-8601; `Date.now()` when absent. */
  ts?: number | string;
  /** Letters, digits, dot, dash and underscore; the collector uses `default` when absent. */
  tenant?: string | null;
  app?: string | null;
  env?: string | null;
  agent_id?: string | null;
  session_id?: string | null;
  trace_id?: string | null;
  span_id?: string | null;
  parent_span_id?: string | null;
  user_id?: string | null;
  /** Id or fingerprint of the credential used; a raw secret is fingerprinted by the collector, never stored. */
  key_id?: string | null;
  source_ip?: string | null;
  model?: string | null;
  provider?: string | null;
  /** Anything else; numbers and booleans arrive as strings. */
  attributes?: Record<string, string | number | boolean> | null;
}

/**
 * One part of multi-part chat content, the form most provider SDKs send.
 *
 * @example
 * const part: ContentPart = { type: 'text', text: 'hello' };
 */
export interface ContentPart {
  type: string;
  text?: string;
  [key: string]: unknown;
}

/**
 * A chat message as the model saw it.
 *
 * @example
 * const msg: ChatMessage = { role: 'user', content: 'What is our refund policy?' };
 */
export interface ChatMessage {
  role: string;
  content: string | ContentPart[];
}

/**
 * Payload of a `prompt` event.
 *
 * @example
 * const p: PromptPayload = { messages: [{ role: 'user', content: 'hi' }] };
 */
export interface PromptPayload {
  messages: ChatMessage[];
}

/**
 * Token counts of one model call.
 *
 * @example
 * const usage: TokenUsage = { input_tokens: 812, output_tokens: 64 };
 */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}

/**
 * Payload of an `output` event.
 *
 * @example
 * const o: OutputPayload = { text: 'Refunds take 5 days.', finish_reason: 'stop' };
 */
export interface OutputPayload {
  text: string;
  finish_reason?: string | null;
  usage?: TokenUsage | null;
}

/**
 * One document a retrieval returned.
 *
 * @example
 * const doc: RetrievedDocument = { id: 'kb-12', source: 'confluence', score: 0.82, content: '...' };
 */
export interface RetrievedDocument {
  id: string;
  source?: string | null;
  uri?: string | null;
  score?: number | null;
  content: string;
}

/**
 * Payload of a `retrieval` event.
 *
 * @example
 * const r: RetrievalPayload = { query: 'refund policy', documents: [{ id: 'kb-12', content: '...' }] };
 */
export interface RetrievalPayload {
  query: string;
  documents: RetrievedDocument[];
}

/**
 * Payload of a `tool_call` event.
 *
 * @example
 * const t: ToolCallPayload = { name: 'send_email', arguments: { to: 'a@b.c' }, status: 'ok', target: 'smtp.internal' };
 */
export interface ToolCallPayload {
  name: string;
  call_id?: string | null;
  arguments: Record<string, unknown>;
  /** What the tool returned: any JSON value. */
  result?: unknown;
  status?: ToolStatus | null;
  /** The URL, host or resource the tool touched. */
  target?: string | null;
}

/** @example const e: PromptEvent = { kind: 'prompt', prompt: { messages: [{ role: 'user', content: 'hi' }] } }; */
export interface PromptEvent extends EventCommon {
  kind: 'prompt';
  prompt: PromptPayload;
}

/** @example const e: OutputEvent = { kind: 'output', output: { text: 'hello' } }; */
export interface OutputEvent extends EventCommon {
  kind: 'output';
  output: OutputPayload;
}

/** @example const e: RetrievalEvent = { kind: 'retrieval', retrieval: { query: 'q', documents: [] } }; */
export interface RetrievalEvent extends EventCommon {
  kind: 'retrieval';
  retrieval: RetrievalPayload;
}

/** @example const e: ToolCallEvent = { kind: 'tool_call', tool_call: { name: 'search', arguments: { q: 'x' } } }; */
export interface ToolCallEvent extends EventCommon {
  kind: 'tool_call';
  tool_call: ToolCallPayload;
}

/**
 * A full raw v1 event, as `RunwatchClient.track` takes it.
 *
 * @example
 * client.track({ kind: 'output', session_id: 's1', output: { text: 'done', finish_reason: 'stop' } });
 */
export type RunwatchEvent = PromptEvent | OutputEvent | RetrievalEvent | ToolCallEvent;

/** Input of `client.prompt(...)`. @example client.prompt({ messages: [{ role: 'user', content: 'hi' }], session_id: 's1' }); */
export type PromptInput = EventCommon & PromptPayload;
/** Input of `client.output(...)`. @example client.output({ text: 'hello', finish_reason: 'stop', session_id: 's1' }); */
export type OutputInput = EventCommon & OutputPayload;
/** Input of `client.retrieval(...)`. @example client.retrieval({ query: 'q', documents: [{ id: 'd1', content: '...' }] }); */
export type RetrievalInput = EventCommon & RetrievalPayload;
/** Input of `client.toolCall(...)`. @example client.toolCall({ name: 'search', arguments: { q: 'x' }, status: 'ok' }); */
export type ToolCallInput = EventCommon & ToolCallPayload;

/**
 * Options of `new RunwatchClient(options)`; every field is optional.
 *
 * @example
 * const options: RunwatchClientOptions = { url: 'https://collector:8700', token: process.env.RUNWATCH_TOKEN, app: 'support-bot' };
 */
export interface RunwatchClientOptions {
  /** Collector base URL. Default `http://127.0.0.1:8700`. */
  url?: string;
  /** Sent as `Authorization: Bearer <token>` when set. */
  token?: string;
  /** Defaults filled into each event that does not set them. */
  tenant?: string;
  app?: string;
  env?: string;
  agentId?: string;
  /** Send as soon as this many events are waiting. Default 100. */
  batchSize?: number;
  /** Send whatever is waiting at least this often. Default 1000 ms. */
  flushIntervalMs?: number;
  /** Upper bound of one request body; a batch stops growing before it. Default 4 MiB (half the collector's default limit). */
  maxBatchBytes?: number;
  /** Events allowed to wait (not counting the batch in flight); beyond it the oldest are dropped. Default 10000. */
  maxQueue?: number;
  /** Retries of one batch after its first attempt. Default 5. */
  maxRetries?: number;
  /** Base of the exponential backoff (full jitter). Default 200 ms. */
  retryBaseMs?: number;
  /** Time limit of one request, answer body included. Default 10000 ms. */
  timeoutMs?: number;
  /** Where delivery problems go; never called synchronously from an event call. Default: console.warn. */
  onError?: (error: RunwatchSdkError) => void;
  /** Fetch implementation; default the global `fetch`. */
  fetch?: typeof fetch;
}

/**
 * Event counts since the client was created.
 *
 * @example
 * const { queued, sent, failed, dropped, rejected } = client.stats();
 */
export interface RunwatchStats {
  /** Accepted by the client and not yet settled: waiting, or in the batch in flight. */
  queued: number;
  /** Accepted by the collector. */
  sent: number;
  /** Given up on: a non-retriable answer, retries exhausted, not serializable, or sent after close. */
  failed: number;
  /** Dropped, oldest first, because more than `maxQueue` were waiting. */
  dropped: number;
  /** Refused by the collector in a 207 answer (it dead-lettered them). */
  rejected: number;
}
