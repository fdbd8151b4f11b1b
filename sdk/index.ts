/**
 * runwatch SDK: forward prompts, outputs, retrievals and tool calls to a runwatch collector.
 * Dependency-free (global `fetch`), safe on the hot path (never blocks, never throws).
 *
 * @example
 * import { RunwatchClient } from 'runwatch/sdk';
 * const rw = new RunwatchClient({ url: 'http://127.0.0.1:8700', app: 'support-bot' });
 * rw.output({ text: 'Refunds take 5 days.', session_id: 's1' });
 * await rw.close();
 *
 * And before a tool runs, the guard (throws RunwatchDeniedError when runwatch says no):
 * const guard = new RunwatchGuard({ url: 'http://127.0.0.1:8700', agentId: 'bot-1' });
 * await guard.check({ name: 'send_email', arguments: { to }, session_id: 's1' });
 */
export { RunwatchClient } from './client.js';
export { DeliveryError, GuardUnavailableError, QueueOverflowError, RejectedEventsError, RunwatchDeniedError, RunwatchSdkError } from './errors.js';
export type { DenyReason, RejectedEvent, RunwatchSdkErrorCode } from './errors.js';
export { RunwatchGuard, type GuardAllowed, type RunwatchGuardOptions } from './guard.js';
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
