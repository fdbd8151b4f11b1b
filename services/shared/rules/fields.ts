/**
 * Field paths over events: `tool_call.arguments.to`; `[]` fans out over an array
 * (`retrieval.documents[].content`); a trailing `.*` takes every value below (`tool_call.arguments.*`).
 * A path yields every value it reaches; a condition holds when any value satisfies it.
 */
import type { TelemetryEvent } from '../events/schema.js';

export type PathGetter = (event: TelemetryEvent) => unknown[];

/** Top-level fields and the shape below them; `*` means free-form (any key). */
const KNOWN: Record<string, unknown> = {
  event_id: true, ts: true, received_at: true, tenant: true, app: true, env: true, agent_id: true, session_id: true,
  trace_id: true, span_id: true, parent_span_id: true, user_id: true, key_id: true, source_ip: true, kind: true,
  model: true, provider: true,
  prompt: { messages: { role: true, content: true } },
  output: { text: true, finish_reason: true, usage: { input_tokens: true, output_tokens: true } },
  retrieval: { query: true, documents: { id: true, source: true, uri: true, score: true, content: true } },
  tool_call: { name: true, call_id: true, arguments: '*', result: true, status: true, target: true },
  attributes: '*',
};

interface Segment {
  key: string;
  /** `[]` after the key: fan out over the array. */
  each: boolean;
}

function segments(path: string): { parts: Segment[]; deep: boolean } {
  const deep = path.endsWith('.*') || path === '*';
  const body = deep ? path.slice(0, -2) : path;
  const parts = body.split('.').filter(Boolean).map((p) => ({ key: p.replace(/\[\]$/, ''), each: p.endsWith('[]') }));
  return { parts, deep };
}

/** Why a path cannot match any event field, or null when it can. Used by lint. */
export function unknownFieldReason(path: string): string | null {
  let shape: true | Record<string, unknown> | '*' = KNOWN as Record<string, unknown>;
  for (const { key } of segments(path).parts) {
    if (shape === '*' ) return null;
    if (shape === true) return `'${key}' is below a value that has no fields`;
    const next = shape[key] as true | Record<string, unknown> | '*' | undefined;
    if (next === undefined) {
      const known = Object.keys(shape).join(', ');
      return `unknown field '${key}' (known here: ${known})`;
    }
    shape = next;
  }
  return null;
}

/** Compiles a path into a function returning every value it reaches (never undefined/null). */
export function compilePath(path: string): PathGetter {
  const { parts, deep } = segments(path);
  return (event) => {
    let values: unknown[] = [event];
    for (const { key, each } of parts) {
      const next: unknown[] = [];
      for (const v of values) {
        if (v === null || typeof v !== 'object') continue;
        const child = (v as Record<string, unknown>)[key];
        if (child === undefined || child === null) continue;
        if (each && Array.isArray(child)) next.push(...child);
        else next.push(child);
      }
      values = next;
      if (values.length === 0) return values;
    }
    return deep ? values.flatMap((v) => leaves(v, 0)) : values;
  };
}

function leaves(value: unknown, depth: number): unknown[] {
  if (value === null || value === undefined) return [];
  if (typeof value !== 'object' || depth > 16) return [value];
  return (Array.isArray(value) ? value : Object.values(value)).flatMap((v) => leaves(v, depth + 1));
}

/** A value as text for string comparisons: strings as they are, scalars printed, objects as JSON. */
export function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value) ?? '';
}
