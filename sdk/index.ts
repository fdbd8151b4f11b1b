/**
 * runwatch SDK: forward prompts, outputs, retrievals and tool calls to a runwatch collector.
 * Dependency-free (global `fetch`), safe on the hot path (never blocks, never throws).
 *
 * @example
 * import { RunwatchClient } from 'runwatch/sdk';
 * const rw = new RunwatchClient({ url: 'http://127.0.0.1:8700', app: 'support-bot' });
 * rw.output({ text: 'Refunds take 5 days.', session_id: 's1' });
 * await rw.close();
 */
export { RunwatchClient } from './client.js';
export { DeliveryError, QueueOverflowError, RejectedEventsError, RunwatchSdkError } from './errors.js';
export type { RejectedEvent, RunwatchSdkErrorCode } from './errors.js';
export { newEventId } from './ids.js';
export type {
  ChatMessage,
  ContentPart,
  EventCommon,
  EventKind,
  OutputEvent,
  OutputInput,
  OutputPayload,
  PromptEvent,
  PromptInput,
  PromptPayload,
  RetrievalEvent,
  RetrievalInput,
  RetrievalPayload,
  RetrievedDocument,
  RunwatchClientOptions,
  RunwatchEvent,
  RunwatchStats,
  TokenUsage,
  ToolCallEvent,
  ToolCallInput,
  ToolCallPayload,
  ToolStatus,
} from './types.js';
