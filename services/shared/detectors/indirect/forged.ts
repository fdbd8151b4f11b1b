/**
 * Forged agent syntax in content the model reads: ReAct transcripts (`Thought:`, `Action:`,
 * `Action Input:`, `Observation:`), tool-call markup (`<tool_call>`, `<function=…>`,
 * `[TOOL_CALLS]`), function-call JSON (`{"function_call": …}`). A document or tool result
 * that writes these is trying to make the agent believe a tool was called, or to call one.
 */
import type { IndirectSignal } from './signal.js';
import { matchAll } from './signal.js';

const REACT_LINE = /^[ \t]*(thought|action|action input|observation|final answer)[ \t]*:/gim;
const TOOL_MARKUP =
  /<\/?(?:tool_call|tool_calls|tool_use|tool_result|function_call|function_calls|function_results|invoke|antml:invoke|antml:function_calls|tool_response)\b[^>]*>|<function=[\w.-]+>|\[\/?TOOL_CALLS\]|\[\/?TOOL_RESULTS\]|<\|(?:python_tag|tool_call|tool_response|plugin)\|>/gi;
const CALL_JSON = /["'](?:function_call|tool_calls|tool_call|tool_use)["']\s*:\s*[{[]/gi;
const NAME_ARGUMENTS_JSON = /["']name["']\s*:\s*["'][\w.-]+["']\s*,\s*["'](?:arguments|parameters|input)["']\s*:/gi;

/**
 * @example forgedToolCallSignals('Thought: done\nAction: send_email\nAction Input: {...}')[0].label // → 'forged_tool_call'
 */
export function forgedToolCallSignals(text: string): IndirectSignal[] {
  const out: IndirectSignal[] = [];
  if (text.includes(':')) {
    const lines = [...text.matchAll(REACT_LINE)];
    const kinds = new Set(lines.map((m) => m[1]!.toLowerCase()));
    // One "Action:" line is a meeting note; an action with its input, or an observation, is a transcript.
    const transcript = (kinds.has('action') && (kinds.has('action input') || kinds.has('observation'))) || (kinds.has('thought') && kinds.has('action'));
    if (transcript) {
      const first = lines[0]!;
      const last = lines[lines.length - 1]!;
      out.push({ label: 'forged_tool_call', score: 0.55, start: first.index, end: last.index + last[0].length });
    } else if (kinds.has('observation') || kinds.has('final answer')) {
      for (const m of lines) out.push({ label: 'forged_tool_call', score: 0.2, start: m.index, end: m.index + m[0].length });
    }
  }
  if (text.includes('<') || text.includes('[')) matchAll(TOOL_MARKUP, text, 'forged_tool_call', 0.55, out);
  if (text.includes('"') || text.includes("'")) {
    matchAll(CALL_JSON, text, 'forged_tool_call', 0.5, out);
    matchAll(NAME_ARGUMENTS_JSON, text, 'forged_tool_call', 0.3, out);
  }
  return out;
}
