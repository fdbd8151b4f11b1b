/**
 * The text an event carries, as (field path, text, role) triples: what detectors scan.
 * One place decides which fields hold text, so every detector reads the same ones.
 */
import type { TelemetryEvent } from '../events/schema.js';

export interface TextField {
  /** Path as in evidence spans: `prompt.messages[2].content`, `tool_call.arguments.body`. */
  path: string;
  text: string;
  /**
   * Where the text came from, which decides how suspicious instructions in it are:
   * `user` (direct input), `system`, `assistant` / `output` (the model), `tool` (a tool result,
   * fed back to the model), `document` (retrieved content), `query`, `argument` (tool arguments).
   */
  source: 'user' | 'system' | 'assistant' | 'output' | 'tool' | 'document' | 'query' | 'argument';
}

export function textFields(event: TelemetryEvent): TextField[] {
  const out: TextField[] = [];
  event.prompt?.messages.forEach((m, i) => {
    const role = m.role.toLowerCase();
    const source: TextField['source'] =
      role === 'system' || role === 'developer' ? 'system' : role === 'assistant' ? 'assistant' : role === 'tool' || role === 'function' ? 'tool' : 'user';
    out.push({ path: `prompt.messages[${i}].content`, text: m.content, source });
  });
  if (event.output) out.push({ path: 'output.text', text: event.output.text, source: 'output' });
  if (event.retrieval) {
    out.push({ path: 'retrieval.query', text: event.retrieval.query, source: 'query' });
    event.retrieval.documents.forEach((d, i) => out.push({ path: `retrieval.documents[${i}].content`, text: d.content, source: 'document' }));
  }
  if (event.tool_call) {
    collectArguments(event.tool_call.arguments, 'tool_call.arguments', out, 0);
    if (event.tool_call.result !== null) out.push({ path: 'tool_call.result', text: event.tool_call.result, source: 'tool' });
  }
  return out;
}

function collectArguments(value: unknown, path: string, out: TextField[], depth: number): void {
  if (depth > 16) return;
  if (typeof value === 'string') out.push({ path, text: value, source: 'argument' });
  else if (Array.isArray(value)) value.forEach((v, i) => collectArguments(v, `${path}[${i}]`, out, depth + 1));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) collectArguments(v, `${path}.${k}`, out, depth + 1);
  }
}
