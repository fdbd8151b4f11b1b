/**
 * The telemetry event contract v1 (DESIGN.md "Event contract"), as zod schemas for the HTTP
 * edge. `EventInputSchema` accepts what apps send; `normalizeEvent` (normalize.ts) turns an
 * accepted input into a `TelemetryEvent`, the one shape that flows over the bus and into
 * the evidence store.
 */
import { z } from 'zod';

export const EVENT_KINDS = ['prompt', 'output', 'retrieval', 'tool_call'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const TOOL_STATUSES = ['ok', 'error', 'denied'] as const;
export type ToolStatus = (typeof TOOL_STATUSES)[number];

/** Deepest nesting accepted in free-form JSON (tool arguments, results): deeper is an attack, not data. */
export const MAX_JSON_DEPTH = 64;

const MAX_ID = 512;
const id = z.string().min(1).max(MAX_ID);
/** Optional string fields: `null` is accepted and means absent. */
const optionalId = id.nullish();
const text = z.string();

/** `ts` is ISO-8601 or epoch milliseconds; normalized to epoch milliseconds. */
const timestamp = z.union([
  z.number().int().nonnegative().max(8.64e15),
  z
    .string()
    .refine((s) => /^\d{4}-\d{2}-\d{2}[T ]/.test(s) && Number.isFinite(Date.parse(s)), {
      message: 'expected an ISO-8601 date-time or epoch milliseconds',
    })
    .transform((s) => Date.parse(s)),
]);

/** Chat content is a string, or the multi-part form most provider SDKs send ([{type:'text', text}]). */
const messageContent = z.union([
  text,
  z
    .array(z.object({ type: z.string(), text: z.string().optional() }).passthrough())
    .transform((parts) =>
      parts
        .map((p) => p.text)
        .filter((t): t is string => typeof t === 'string')
        .join('\n'),
    ),
]);

const jsonValue = z.unknown().superRefine((value, ctx) => {
  if (jsonDepth(value, 0) > MAX_JSON_DEPTH) {
    ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
  }
});

export const PromptSchema = z
  .object({
    messages: z.array(z.object({ role: id, content: messageContent }).strict()).min(1),
  })
  .strict();

export const OutputSchema = z
  .object({
    text,
    finish_reason: optionalId,
    usage: z
      .object({
        input_tokens: z.number().int().nonnegative(),
        output_tokens: z.number().int().nonnegative(),
      })
      .strict()
      .nullish(),
  })
  .strict();

export const RetrievalSchema = z
  .object({
    query: text,
    documents: z.array(
      z
        .object({
          id,
          source: optionalId,
          uri: z.string().max(8192).nullish(),
          score: z.number().finite().nullish(),
          content: text,
        })
        .strict(),
    ),
  })
  .strict();

export const ToolCallSchema = z
  .object({
    name: id,
    call_id: optionalId,
    arguments: z
      .record(z.string(), z.unknown())
      .nullish()
      .superRefine((value, ctx) => {
        if (jsonDepth(value, 0) > MAX_JSON_DEPTH) {
          ctx.addIssue({ code: 'custom', message: `nested deeper than ${MAX_JSON_DEPTH} levels` });
        }
      }),
    result: jsonValue.optional(),
    status: z.enum(TOOL_STATUSES).nullish(),
    target: z.string().max(8192).nullish(),
  })
  .strict();

const common = {
  event_id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces')
    .nullish(),
  ts: timestamp.nullish(),
  tenant: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only')
    .nullish(),
  app: optionalId,
  env: optionalId,
  agent_id: optionalId,
  session_id: optionalId,
  trace_id: optionalId,
  span_id: optionalId,
  parent_span_id: optionalId,
  user_id: optionalId,
  key_id: optionalId,
  source_ip: z.string().max(64).nullish(),
  model: optionalId,
  provider: optionalId,
  attributes: z
    .record(z.string().max(256), z.union([z.string(), z.number(), z.boolean()]).transform(String))
    .refine((a) => Object.keys(a).length <= 256, 'at most 256 attributes')
    .nullish(),
};

/** An event carries only its own kind's payload; the other three may be absent or null. */
const otherKind = z.null({ error: "belongs to another kind: an event carries only its own kind's payload" }).optional();

export const EventInputSchema = z.discriminatedUnion('kind', [
  z.object({ ...common, kind: z.literal('prompt'), prompt: PromptSchema, output: otherKind, retrieval: otherKind, tool_call: otherKind }).strict(),
  z.object({ ...common, kind: z.literal('output'), output: OutputSchema, prompt: otherKind, retrieval: otherKind, tool_call: otherKind }).strict(),
  z.object({ ...common, kind: z.literal('retrieval'), retrieval: RetrievalSchema, prompt: otherKind, output: otherKind, tool_call: otherKind }).strict(),
  z.object({ ...common, kind: z.literal('tool_call'), tool_call: ToolCallSchema, prompt: otherKind, output: otherKind, retrieval: otherKind }).strict(),
]);

export type EventInput = z.output<typeof EventInputSchema>;

export interface ChatMessage {
  role: string;
  content: string;
}
export interface PromptPayload {
  messages: ChatMessage[];
}
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
}
export interface OutputPayload {
  text: string;
  finish_reason: string | null;
  usage: TokenUsage | null;
}
export interface RetrievedDocument {
  id: string;
  source: string | null;
  uri: string | null;
  score: number | null;
  content: string;
}
export interface RetrievalPayload {
  query: string;
  documents: RetrievedDocument[];
}
export interface ToolCallPayload {
  name: string;
  call_id: string | null;
  arguments: Record<string, unknown>;
  /** What the tool returned: strings as sent, any other JSON value as its JSON text. */
  result: string | null;
  status: ToolStatus | null;
  target: string | null;
}

/**
 * One accepted, enriched event: what the collector puts on `runwatch.telemetry.v1` and what
 * every later stage reads. Absent optional fields are `null`, never `undefined`.
 */
export interface TelemetryEvent {
  event_id: string;
  /** When it happened in the app, epoch ms. */
  ts: number;
  /** When the collector accepted it, epoch ms. */
  received_at: number;
  tenant: string;
  app: string | null;
  env: string | null;
  agent_id: string | null;
  session_id: string | null;
  trace_id: string | null;
  span_id: string | null;
  parent_span_id: string | null;
  user_id: string | null;
  /** The credential's id, or the fingerprint of a raw secret sent in its place (never the secret). */
  key_id: string | null;
  source_ip: string | null;
  kind: EventKind;
  model: string | null;
  provider: string | null;
  prompt: PromptPayload | null;
  output: OutputPayload | null;
  retrieval: RetrievalPayload | null;
  tool_call: ToolCallPayload | null;
  attributes: Record<string, string>;
}

function jsonDepth(value: unknown, depth: number): number {
  if (depth > MAX_JSON_DEPTH) return depth;
  if (value === null || typeof value !== 'object') return depth;
  let max = depth + 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    max = Math.max(max, jsonDepth(child, depth + 1));
    if (max > MAX_JSON_DEPTH) break;
  }
  return max;
}
