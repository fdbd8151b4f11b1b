/**
 * GenAI semantic-convention spans → raw v1 events (the input `EventInputSchema` accepts;
 * the collector validates each with `parseEvent` afterwards, like any HTTP event).
 *
 * By `gen_ai.operation.name`:
 * - `execute_tool` → one `tool_call` event (ts = span start).
 * - `retrieval` → one `retrieval` event when a query or documents were recorded (ts = start).
 * - anything else (`chat`, `text_completion`, `generate_content`, `invoke_agent`, custom
 *   names) → a `prompt` event when input messages were recorded (ts = start) and an
 *   `output` event when output was recorded (ts = end). One span can yield both.
 * Without `gen_ai.operation.name` (older instrumentations) the operation is inferred:
 * `gen_ai.tool.name` → execute_tool, `gen_ai.retrieval.*` → retrieval, else inference.
 * Spans with no `gen_ai.*` attribute or span event are not GenAI and yield nothing; GenAI
 * spans with nothing to map (embeddings, content capture turned off) yield nothing too.
 * Both are counted in `ignoredSpans`.
 *
 * Identity: `agent_id` is `gen_ai.agent.id` of the span or its nearest ancestor in the same
 * export (tool and chat spans usually sit under an `invoke_agent` span that carries it),
 * else the resource's `service.instance.id` (the process: the narrowest thing containment
 * can act on when the app names no agent). `session_id` is `gen_ai.conversation.id`, looked
 * up the same way, else `session.id`.
 */
import type { z } from 'zod';
import type { ChatMessage, EventInputSchema, EventKind } from '../../shared/events/schema.js';
import {
  chatMessages,
  count,
  firstFinishReason,
  flattenedMessages,
  isRecord,
  outputContent,
  retrievalDocuments,
  scalarText,
  structured,
  systemMessage,
  toolArguments,
  toolResult,
  type OutputContent,
} from './content.js';
import type { OtlpAttributes, OtlpSpan, OtlpTraceRequest, OtlpValue } from './types.js';

/** One raw event as `EventInputSchema` takes it. */
export type RawEvent = z.input<typeof EventInputSchema>;

export interface SpanMapping {
  /** Raw v1 events, in span order. */
  events: RawEvent[];
  /** `eventSpans[i]` is the position (0-based, request order) of the span `events[i]` came from. */
  eventSpans: number[];
  /** Spans in the request. */
  spans: number;
  /** Spans that yielded no event: not GenAI, or GenAI with nothing to map. */
  ignoredSpans: number;
}

/** At most this many extra attributes per event, each value cut to this length. */
export const MAX_EXTRA_ATTRIBUTES = 64;
export const MAX_ATTRIBUTE_VALUE = 1024;
/** How far up the parent chain agent and conversation ids are looked for. */
const MAX_ANCESTORS = 32;

/** Attributes whose content becomes the event payload; they are not copied into `attributes`. */
const CONTENT_KEYS = new Set([
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.retrieval.documents',
  'gen_ai.retrieval.query.text',
  'gen_ai.prompt',
  'gen_ai.completion',
]);
const FLATTENED_CONTENT = /^gen_ai\.(prompt|completion)\.\d+\./;

/** Message span events of semconv ≤ 1.36 (when recorded on the span rather than as logs). */
const MESSAGE_EVENTS: Readonly<Record<string, string>> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

interface SpanContext {
  span: OtlpSpan;
  resource: OtlpAttributes;
  /** Position in the request, for `eventSpans`. */
  position: number;
}

type Common = Omit<RawEvent, 'kind' | 'prompt' | 'output' | 'retrieval' | 'tool_call'>;

export function spansToEvents(request: OtlpTraceRequest): SpanMapping {
  const contexts: SpanContext[] = [];
  const bySpanId = new Map<string, OtlpSpan>();
  for (const rs of request.resourceSpans) {
    for (const ss of rs.scopeSpans) {
      for (const span of ss.spans) {
        contexts.push({ span, resource: rs.resource, position: contexts.length });
        bySpanId.set(`${span.traceId}/${span.spanId}`, span);
      }
    }
  }
  const mapping: SpanMapping = { events: [], eventSpans: [], spans: contexts.length, ignoredSpans: 0 };
  for (const ctx of contexts) {
    const events = isGenAiSpan(ctx.span) ? spanEvents(ctx, bySpanId) : [];
    if (events.length === 0) mapping.ignoredSpans += 1;
    for (const event of events) {
      mapping.events.push(event);
      mapping.eventSpans.push(ctx.position);
    }
  }
  return mapping;
}

function isGenAiSpan(span: OtlpSpan): boolean {
  return (
    Object.keys(span.attributes).some((k) => k.startsWith('gen_ai.')) ||
    span.events.some((e) => e.name.startsWith('gen_ai.'))
  );
}

function operationOf(span: OtlpSpan): string {
  const a = span.attributes;
  const op = scalarText(a['gen_ai.operation.name']);
  if (op) return op;
  if (a['gen_ai.tool.name'] !== undefined || a['gen_ai.tool.call.id'] !== undefined) return 'execute_tool';
  if (a['gen_ai.retrieval.documents'] !== undefined || a['gen_ai.retrieval.query.text'] !== undefined) return 'retrieval';
  return 'chat';
}

function spanEvents(ctx: SpanContext, bySpanId: Map<string, OtlpSpan>): RawEvent[] {
  const common = commonFields(ctx, bySpanId);
  const { span } = ctx;
  const id = (kind: EventKind) => `otlp-${span.traceId}-${span.spanId}-${kind}`;
  const start = span.startTimeMs ?? undefined;
  switch (operationOf(span)) {
    case 'execute_tool':
      return [{ ...common, event_id: id('tool_call'), ts: start, kind: 'tool_call', tool_call: toolCall(span) }];
    case 'retrieval': {
      const retrieval = retrievalOf(span);
      return retrieval ? [{ ...common, event_id: id('retrieval'), ts: start, kind: 'retrieval', retrieval }] : [];
    }
    default: {
      const events: RawEvent[] = [];
      const messages = inputMessages(span);
      if (messages.length > 0) {
        events.push({ ...common, event_id: id('prompt'), ts: start, kind: 'prompt', prompt: { messages } });
      }
      const output = outputOf(span);
      if (output) {
        events.push({
          ...common,
          event_id: id('output'),
          ts: span.endTimeMs ?? start,
          kind: 'output',
          output: {
            text: output.text,
            finish_reason: firstFinishReason(span.attributes['gen_ai.response.finish_reasons']) ?? output.finishReason,
            usage: usageOf(span.attributes),
          },
        });
      }
      return events;
    }
  }
}

function commonFields(ctx: SpanContext, bySpanId: Map<string, OtlpSpan>): Common {
  const { span, resource } = ctx;
  const own = (key: string) => scalarText(span.attributes[key]);
  const res = (key: string) => scalarText(resource[key]);
  const inherited = (key: string) => fromAncestors(span, bySpanId, key);
  return {
    tenant: own('runwatch.tenant') ?? res('runwatch.tenant'),
    app: res('service.name'),
    env: res('deployment.environment.name') ?? res('deployment.environment'),
    agent_id: inherited('gen_ai.agent.id') ?? res('service.instance.id'),
    session_id: inherited('gen_ai.conversation.id') ?? inherited('session.id'),
    trace_id: span.traceId,
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    user_id: own('user.id') ?? own('enduser.id') ?? res('user.id') ?? res('enduser.id'),
    key_id: own('runwatch.key_id') ?? res('runwatch.key_id'),
    model: own('gen_ai.response.model') ?? own('gen_ai.request.model'),
    provider: own('gen_ai.provider.name') ?? own('gen_ai.system'),
    attributes: extraAttributes(span),
  };
}

/** The attribute on the span itself or its nearest ancestor present in this export. */
function fromAncestors(span: OtlpSpan, bySpanId: Map<string, OtlpSpan>, key: string): string | null {
  let current: OtlpSpan | undefined = span;
  for (let hops = 0; current && hops <= MAX_ANCESTORS; hops++) {
    const value = scalarText(current.attributes[key]);
    if (value) return value;
    current = current.parentSpanId ? bySpanId.get(`${current.traceId}/${current.parentSpanId}`) : undefined;
  }
  return null;
}

/**
 * An attribute recorded on the span, or else on one of its span events: older
 * instrumentations record `gen_ai.prompt` / `gen_ai.completion` on `gen_ai.content.prompt` /
 * `gen_ai.content.completion` events, newer ones may record the messages on a
 * `gen_ai.client.inference.operation.details` event.
 */
function contentAttribute(span: OtlpSpan, key: string): OtlpValue | undefined {
  const own = span.attributes[key];
  if (own !== undefined && own !== null) return own;
  for (const event of span.events) {
    const value = event.attributes[key];
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function inputMessages(span: OtlpSpan): ChatMessage[] {
  const system = systemMessage(contentAttribute(span, 'gen_ai.system_instructions'));
  let messages = chatMessages(contentAttribute(span, 'gen_ai.input.messages'));
  if (messages.length === 0) messages = chatMessages(contentAttribute(span, 'gen_ai.prompt'));
  if (messages.length === 0) messages = flattenedMessages(span.attributes, 'gen_ai.prompt').map(({ role, content }) => ({ role, content }));
  if (messages.length === 0) messages = eventMessages(span);
  return system ? [system, ...messages] : messages;
}

/** `gen_ai.{system,user,assistant,tool}.message` span events, body in `gen_ai.event.content` or `content`. */
function eventMessages(span: OtlpSpan): ChatMessage[] {
  const messages: ChatMessage[] = [];
  for (const event of span.events) {
    const role = MESSAGE_EVENTS[event.name];
    if (!role) continue;
    const body = structured(event.attributes['gen_ai.event.content'] ?? event.attributes.content);
    const [message] = chatMessages(isRecord(body) ? { role, ...body } : { role, content: body });
    if (message) messages.push(message);
  }
  return messages;
}

function outputOf(span: OtlpSpan): OutputContent | null {
  const current = outputContent(contentAttribute(span, 'gen_ai.output.messages'));
  if (current) return current;
  const legacy = outputContent(contentAttribute(span, 'gen_ai.completion'));
  if (legacy) return legacy;
  const flattened = flattenedMessages(span.attributes, 'gen_ai.completion');
  if (flattened.length > 0) {
    return {
      text: flattened.map((m) => m.content).filter((t) => t !== '').join('\n'),
      finishReason: flattened.map((m) => m.finishReason).find((r) => r !== null) ?? null,
    };
  }
  // `gen_ai.choice` span events: {index, finish_reason, message: {content}}.
  const choices = span.events
    .filter((e) => e.name === 'gen_ai.choice')
    .map((e) => structured(e.attributes['gen_ai.event.content'] ?? e.attributes.message))
    .filter((body) => body !== undefined && body !== null);
  return choices.length > 0 ? outputContent(choices) : null;
}

/** Token usage; the pre-1.27 names (`prompt_tokens` / `completion_tokens`) are read too. A missing half counts 0. */
function usageOf(a: OtlpAttributes): { input_tokens: number; output_tokens: number } | null {
  const input = count(a['gen_ai.usage.input_tokens']) ?? count(a['gen_ai.usage.prompt_tokens']);
  const output = count(a['gen_ai.usage.output_tokens']) ?? count(a['gen_ai.usage.completion_tokens']);
  if (input === null && output === null) return null;
  return { input_tokens: input ?? 0, output_tokens: output ?? 0 };
}

function toolCall(span: OtlpSpan): Extract<RawEvent, { kind: 'tool_call' }>['tool_call'] {
  const a = span.attributes;
  const failed = span.status.code === 'error' || a['error.type'] !== undefined;
  return {
    name: scalarText(a['gen_ai.tool.name']) ?? toolNameFromSpanName(span.name),
    call_id: scalarText(a['gen_ai.tool.call.id']),
    arguments: toolArguments(a['gen_ai.tool.call.arguments']),
    result: toolResult(a['gen_ai.tool.call.result']),
    status: failed ? 'error' : 'ok',
    target: targetOf(a),
  };
}

/** Span names are `execute_tool {tool}` (GenAI) or `tools/call {tool}` (MCP); a name is required, so fall back to the span's. */
function toolNameFromSpanName(name: string): string {
  const match = /^(?:execute_tool|tools\/call)\s+(\S.*)$/.exec(name);
  return match?.[1] ?? (name !== '' ? name : 'unknown');
}

/** What the tool touched: the full URL when recorded, else host[:port]. */
function targetOf(a: OtlpAttributes): string | null {
  const url = scalarText(a['url.full']);
  if (url) return url;
  const host = scalarText(a['server.address']);
  if (!host) return null;
  const port = scalarText(a['server.port']);
  return port ? `${host}:${port}` : host;
}

function retrievalOf(span: OtlpSpan): Extract<RawEvent, { kind: 'retrieval' }>['retrieval'] | null {
  const queryValue = contentAttribute(span, 'gen_ai.retrieval.query.text');
  const query = typeof queryValue === 'string' ? queryValue : '';
  const documents = retrievalDocuments(
    contentAttribute(span, 'gen_ai.retrieval.documents'),
    scalarText(span.attributes['gen_ai.data_source.id']),
  );
  if (query === '' && documents.length === 0) return null;
  return { query, documents };
}

/**
 * The span's other `gen_ai.*` attributes (and `error.type`, and the span name as
 * `otel.span.name`) as strings for the event's `attributes` map: scalars as text, arrays of
 * scalars as JSON, content attributes left out (they are the payload). Bounded in count
 * and length so one chatty instrumentation cannot bloat every event.
 */
function extraAttributes(span: OtlpSpan): Record<string, string> {
  const out: Record<string, string> = {};
  let n = 0;
  const put = (key: string, value: string) => {
    if (n >= MAX_EXTRA_ATTRIBUTES || key.length > 256) return;
    out[key] = value.length > MAX_ATTRIBUTE_VALUE ? value.slice(0, MAX_ATTRIBUTE_VALUE) : value;
    n += 1;
  };
  if (span.name !== '') put('otel.span.name', span.name);
  for (const [key, value] of Object.entries(span.attributes)) {
    if (!(key.startsWith('gen_ai.') || key === 'error.type')) continue;
    if (CONTENT_KEYS.has(key) || FLATTENED_CONTENT.test(key)) continue;
    const text = attributeText(value);
    if (text !== null) put(key, text);
  }
  return out;
}

function attributeText(value: OtlpValue): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) {
    return JSON.stringify(value);
  }
  return null;
}
