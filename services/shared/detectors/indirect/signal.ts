/**
 * What the indirect-injection analyzers report: a label, a 0..1 base score and a span of the
 * ORIGINAL text (the document or tool result as the event carried it).
 */
import type { Span } from '../text/index.js';

export interface IndirectSignal extends Span {
  /** Stable and greppable: `addressed_to_ai`, `exfil_instruction`, `hidden_instruction`, `forged_tool_call`... */
  label: string;
  score: number;
}

/** Runs a global regex over `text` and reports each match with `label` and `score`. */
export function matchAll(re: RegExp, text: string, label: string, score: number, out: IndirectSignal[], offset = 0): void {
  re.lastIndex = 0;
  for (const m of text.matchAll(re)) {
    if (m[0].length === 0) continue;
    out.push({ label, score, start: offset + m.index, end: offset + m.index + m[0].length });
  }
}
