/**
 * Reading GenAI content out of span attribute values, per the OpenTelemetry GenAI semantic
 * conventions: chat messages made of typed parts (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`), retrieval documents, tool call
 * arguments and results. The conventions let each be recorded structured (AnyValue arrays
 * and key-value lists) or as a JSON string, so every reader here accepts both. The older
 * shapes many instrumentations still emit (`[{role, content}]`, OpenAI-style content
 * arrays, plain strings) are read too.
 *
 * These functions never throw: content that does not fit becomes empty or raw text, and the
 * mapper decides whether an event is still worth sending.
 */
import { MAX_JSON_DEPTH, type ChatMessage } from '../../shared/events/schema.js';

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** A value recorded "structured, or as a JSON string when structured is not supported". */
export function structured(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const start = value.trimStart()[0];
  if (start !== '[' && start !== '{') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** A non-empty string, or a number as text; anything else is absent. */
export function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A non-negative integer given as a number or a numeric string (token counts). */
export function count(value: unknown): number | null {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

/**
 * Decoded attribute values to plain JSON: bytes become base64 strings (JSON has no bytes),
 * and keys are copied as own data properties even when named `__proto__`.
 */
export function plainJson(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length).toString('base64');
  if (depth > MAX_JSON_DEPTH) return value;
  if (Array.isArray(value)) return value.map((v) => plainJson(v, depth + 1));
  if (isRecord(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, { value: plainJson(v, depth + 1), enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
  return value;
}

/** Text for any JSON-ish value: strings as they are, everything else as JSON. */
export function jsonText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return '';
  try {
    return JSON.stringify(plainJson(value)) ?? '';
  } catch {
    // Nested too deep for the stack: the text is still evidence, just not pretty.
    return String(value);
  }
}

/** True when `value` nests deeper than `max` levels (stops counting there: bounded work). */
export function nestsDeeperThan(value: unknown, max: number, depth = 0): boolean {
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return false;
  if (depth >= max) return true;
  for (const child of Array.isArray(value) ? value : Object.values(value)) {
    if (nestsDeeperThan(child, max, depth + 1)) return true;
  }
  return false;
}

/**
 * One message part as text. Text and reasoning parts give their content; a tool call the
 * model requested is rendered `tool_call name(arguments)`; a tool's response gives its
 * result (the spot where indirect prompt injection arrives, so it must be scanned); a URI
 * part gives the URI. Binary parts (blob, file) carry nothing a text rule can read.
 */
function partText(part: unknown): string {
  if (typeof part === 'string') return part;
  if (!isRecord(part)) return '';
  switch (part.type) {
    case 'text':
    case 'reasoning':
      return typeof part.content === 'string' ? part.content : jsonText(part.content ?? part.text);
    case 'tool_call':
      return `tool_call ${scalarText(part.name) ?? ''}(${jsonText(part.arguments)})`;
    case 'tool_call_response':
      // `response` in the current schema, `result` in earlier drafts of it.
      return jsonText(part.response ?? part.result);
    case 'uri':
      return scalarText(part.uri) ?? '';
    case 'blob':
    case 'file':
      return '';
    default:
      // OpenAI-style {type:'text', text} and unknown part types that still carry text.
      if (typeof part.content === 'string') return part.content;
      if (typeof part.text === 'string') return part.text;
      return '';
  }
}

function joinParts(parts: unknown[]): string {
  return parts
    .map(partText)
    .filter((t) => t !== '')
    .join('\n');
}

/** A message's text: `parts` (current), `content` string or part array (older), `message` (choice events). */
function messageText(message: Record<string, unknown>): string {
  if (Array.isArray(message.parts)) return joinParts(message.parts);
  const content = structured(message.content);
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return joinParts(content);
  if (content !== undefined && content !== null) return jsonText(content);
  if (isRecord(message.message)) return messageText(message.message);
  return '';
}

function roleOf(value: unknown, fallback: string): string {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

/**
 * Chat messages from `gen_ai.input.messages` (or the older `gen_ai.prompt`): an array of
 * messages, one message, or a bare string (taken as one user message).
 */
export function chatMessages(value: unknown): ChatMessage[] {
  const v = structured(value);
  if (typeof v === 'string') return v === '' ? [] : [{ role: 'user', content: v }];
  const list = Array.isArray(v) ? v : isRecord(v) ? [v] : [];
  return list.filter(isRecord).map((m) => ({ role: roleOf(m.role, 'user'), content: messageText(m) }));
}

/** `gen_ai.system_instructions` (an array of parts, or a string) as one system message, or null. */
export function systemMessage(value: unknown): ChatMessage | null {
  const v = structured(value);
  const text = typeof v === 'string' ? v : Array.isArray(v) ? joinParts(v) : isRecord(v) ? partText(v) : '';
  return text === '' ? null : { role: 'system', content: text };
}

export interface OutputContent {
  text: string;
  finishReason: string | null;
}

/**
 * The model's output from `gen_ai.output.messages` (or the older `gen_ai.completion`): one
 * message per choice, texts joined by newlines; or a bare string. Null when there is none.
 */
export function outputContent(value: unknown): OutputContent | null {
  const v = structured(value);
  if (typeof v === 'string') return v === '' ? null : { text: v, finishReason: null };
  const list = (Array.isArray(v) ? v : isRecord(v) ? [v] : []).filter(isRecord);
  if (list.length === 0) return null;
  const finish = list.map((m) => scalarText(m.finish_reason)).find((r) => r !== null) ?? null;
  return {
    text: list
      .map(messageText)
      .filter((t) => t !== '')
      .join('\n'),
    finishReason: finish,
  };
}

/** The first of `gen_ai.response.finish_reasons` (a string array; a lone string or JSON text also read). */
export function firstFinishReason(value: unknown): string | null {
  const v = structured(value);
  if (Array.isArray(v)) return v.map(scalarText).find((r) => r !== null) ?? null;
  return scalarText(v);
}

/**
 * The flattened form some instrumentations emit (`gen_ai.prompt.0.role`,
 * `gen_ai.prompt.0.content`, `gen_ai.completion.0.finish_reason`, ...) as messages, in
 * index order.
 */
export function flattenedMessages(
  attributes: Record<string, unknown>,
  prefix: 'gen_ai.prompt' | 'gen_ai.completion',
): Array<ChatMessage & { finishReason: string | null }> {
  const byIndex = new Map<number, Record<string, unknown>>();
  const pattern = prefix === 'gen_ai.prompt'
    ? /^gen_ai\.prompt\.(\d{1,4})\.(role|content|finish_reason)$/
    : /^gen_ai\.completion\.(\d{1,4})\.(role|content|finish_reason)$/;
  for (const [key, value] of Object.entries(attributes)) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const entry = byIndex.get(index) ?? {};
    entry[match[2] ?? ''] = value;
    byIndex.set(index, entry);
  }
  return [...byIndex.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, m]) => ({
      role: roleOf(m.role, prefix === 'gen_ai.prompt' ? 'user' : 'assistant'),
      content: typeof m.content === 'string' ? m.content : jsonText(m.content),
      finishReason: scalarText(m.finish_reason),
    }));
}

/** A retrieved document in the v1 event's input shape. */
export interface RetrievedDocumentInput {
  id: string;
  source?: string;
  uri?: string;
  score?: number;
  content: string;
}

/**
 * `gen_ai.retrieval.documents`: objects with at least `id` and `score`; the schema allows
 * more, and the document text is what runwatch scans, so `content` / `text` /
 * `page_content` are read when an instrumentation records it. A bare string is one
 * document's content. A document without an id gets its position.
 */
export function retrievalDocuments(value: unknown, dataSource: string | null): RetrievedDocumentInput[] {
  const v = structured(value);
  const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return list.map((doc, i): RetrievedDocumentInput => {
    if (!isRecord(doc)) return { id: String(i), content: jsonText(doc), ...(dataSource ? { source: dataSource } : {}) };
    const content = doc.content ?? doc.text ?? doc.page_content;
    const uri = scalarText(doc.uri) ?? scalarText(doc.url);
    const source = scalarText(doc.source) ?? dataSource;
    return {
      id: scalarText(doc.id) ?? String(i),
      content: jsonText(content),
      ...(typeof doc.score === 'number' && Number.isFinite(doc.score) ? { score: doc.score } : {}),
      ...(uri ? { uri } : {}),
      ...(source ? { source } : {}),
    };
  });
}

/**
 * `gen_ai.tool.call.arguments` as the object the v1 contract wants. The conventions expect
 * an object, recorded structured or as JSON text. Anything else (an unparsable string, an
 * array, a scalar, JSON nested deeper than events may be) is kept, untouched, as
 * `{ _raw: value }` so a rule can still read it. Absent → null.
 */
export function toolArguments(value: unknown): Record<string, unknown> | null {
  if (value === undefined || value === null) return null;
  const v = structured(value);
  if (isRecord(v) && !nestsDeeperThan(v, MAX_JSON_DEPTH)) {
    const plain = plainJson(v);
    if (isRecord(plain)) return plain;
  }
  return { _raw: typeof value === 'string' ? value : jsonText(value) };
}

/** `gen_ai.tool.call.result`: strings as sent, structured values as plain JSON. Absent → undefined. */
export function toolResult(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : plainJson(value);
}
