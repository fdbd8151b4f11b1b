/**
 * From a validated `EventInput` to the `TelemetryEvent` that goes on the bus: ids assigned,
 * times normalized, tenant bound to the caller's token, raw secrets in `key_id` (and credentials
 * in `session_id`, `user_id`) fingerprinted.
 */
// The SDK's ULIDs: one random draw per millisecond, not per character (the ulid package's
// per-character crypto calls were a third of the collector's CPU).
import { newEventId } from '../../../sdk/ids.js';
import { formatIssues } from '../validation.js';
import { scrubIdentifier, scrubKeyId } from './key-fingerprint.js';
import { EventInputSchema, type EventInput, type TelemetryEvent } from './schema.js';

export const DEFAULT_TENANT = 'default';

export interface IngestContext {
  /** When the collector accepted the request, epoch ms. */
  receivedAt: number;
  /** The tenant the caller's token is bound to; null when the collector runs without tokens. */
  tenant: string | null;
}

export type ParseResult = { ok: true; event: TelemetryEvent } | { ok: false; error: string };

/** Validate one raw event and normalize it; the error names the field (`tool_call.name: Required`). */
export function parseEvent(raw: unknown, ctx: IngestContext): ParseResult {
  const parsed = EventInputSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) return { ok: false, error: formatIssues(parsed.error) };
  const input = parsed.data;
  if (ctx.tenant !== null && input.tenant != null && input.tenant !== ctx.tenant) {
    return { ok: false, error: `tenant: this token may only send events for tenant '${ctx.tenant}'` };
  }
  return { ok: true, event: normalizeEvent(input, ctx) };
}

export function normalizeEvent(input: EventInput, ctx: IngestContext): TelemetryEvent {
  return {
    event_id: input.event_id ?? newEventId(ctx.receivedAt),
    ts: input.ts ?? ctx.receivedAt,
    received_at: ctx.receivedAt,
    tenant: ctx.tenant ?? input.tenant ?? DEFAULT_TENANT,
    app: input.app ?? null,
    env: input.env ?? null,
    agent_id: input.agent_id ?? null,
    session_id: input.session_id == null ? null : scrubIdentifier(input.session_id),
    trace_id: input.trace_id ?? null,
    span_id: input.span_id ?? null,
    parent_span_id: input.parent_span_id ?? null,
    user_id: input.user_id == null ? null : scrubIdentifier(input.user_id),
    key_id: input.key_id == null ? null : scrubKeyId(input.key_id),
    source_ip: input.source_ip ?? null,
    kind: input.kind,
    model: input.model ?? null,
    provider: input.provider ?? null,
    prompt: input.kind === 'prompt' ? { messages: input.prompt.messages.map((m) => ({ role: m.role, content: m.content })) } : null,
    output:
      input.kind === 'output'
        ? {
            text: input.output.text,
            finish_reason: input.output.finish_reason ?? null,
            usage: input.output.usage ?? null,
          }
        : null,
    retrieval:
      input.kind === 'retrieval'
        ? {
            query: input.retrieval.query,
            documents: input.retrieval.documents.map((d) => ({
              id: d.id,
              source: d.source ?? null,
              uri: d.uri ?? null,
              score: d.score ?? null,
              content: d.content,
            })),
          }
        : null,
    tool_call:
      input.kind === 'tool_call'
        ? {
            name: input.tool_call.name,
            call_id: input.tool_call.call_id ?? null,
            arguments: input.tool_call.arguments ?? {},
            result: jsonText(input.tool_call.result),
            status: input.tool_call.status ?? null,
            target: input.tool_call.target ?? null,
          }
        : null,
    attributes: input.attributes ?? {},
  };
}

/** The partition key that keeps one agent's events in order: `tenant:agent_id`. */
export function eventKey(event: Pick<TelemetryEvent, 'tenant' | 'agent_id'>): string {
  return `${event.tenant}:${event.agent_id ?? ''}`;
}

function jsonText(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
