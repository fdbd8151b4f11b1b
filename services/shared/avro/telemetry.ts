/**
 * TelemetryEvent ↔ its Avro record. The only difference is `tool_call.arguments`, free-form
 * JSON that travels as `arguments_json` text; everything else maps field for field, and
 * decoded records are turned back into plain objects (avsc returns class instances).
 */
import type { TelemetryEvent } from '../events/schema.js';
import { DecodeError } from '../errors.js';
import { schemas } from './registry.js';

interface AvroToolCall {
  name: string;
  call_id: string | null;
  arguments_json: string;
  result: string | null;
  status: 'ok' | 'error' | 'denied' | null;
  target: string | null;
}

export function encodeEvent(event: TelemetryEvent): Buffer {
  const record = event.tool_call
    ? { ...event, tool_call: { ...withoutArguments(event.tool_call), arguments_json: JSON.stringify(event.tool_call.arguments) } }
    : event;
  return schemas().encode('TelemetryEvent', record);
}

export function decodeEvent(buf: Buffer): TelemetryEvent {
  const r = schemas().decode('TelemetryEvent', buf) as Omit<TelemetryEvent, 'tool_call'> & { tool_call: AvroToolCall | null };
  return {
    event_id: r.event_id,
    ts: r.ts,
    received_at: r.received_at,
    tenant: r.tenant,
    app: r.app,
    env: r.env,
    agent_id: r.agent_id,
    session_id: r.session_id,
    trace_id: r.trace_id,
    span_id: r.span_id,
    parent_span_id: r.parent_span_id,
    user_id: r.user_id,
    key_id: r.key_id,
    source_ip: r.source_ip,
    kind: r.kind,
    model: r.model,
    provider: r.provider,
    prompt: r.prompt && { messages: r.prompt.messages.map((m) => ({ role: m.role, content: m.content })) },
    output: r.output && {
      text: r.output.text,
      finish_reason: r.output.finish_reason,
      usage: r.output.usage && { input_tokens: r.output.usage.input_tokens, output_tokens: r.output.usage.output_tokens },
    },
    retrieval: r.retrieval && {
      query: r.retrieval.query,
      documents: r.retrieval.documents.map((d) => ({ id: d.id, source: d.source, uri: d.uri, score: d.score, content: d.content })),
    },
    tool_call: r.tool_call && {
      name: r.tool_call.name,
      call_id: r.tool_call.call_id,
      arguments: argumentsOf(r.tool_call.arguments_json),
      result: r.tool_call.result,
      status: r.tool_call.status,
      target: r.tool_call.target,
    },
    attributes: { ...r.attributes },
  };
}

/**
 * The collector only ever writes a JSON object here, but a record from elsewhere may hold
 * anything: a DecodeError (dead-lettered) rather than a SyntaxError every consumer would retry.
 */
function argumentsOf(json: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new DecodeError(`TelemetryEvent tool_call.arguments_json is not JSON: ${(err as Error).message}`, err);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new DecodeError('TelemetryEvent tool_call.arguments_json is not a JSON object');
  }
  return value as Record<string, unknown>;
}

function withoutArguments(call: NonNullable<TelemetryEvent['tool_call']>): Omit<AvroToolCall, 'arguments_json'> {
  const { arguments: _args, ...rest } = call;
  return rest;
}
