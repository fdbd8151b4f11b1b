/**
 * A signal is one piece of evidence an analyzer found in a text: which detector family it
 * belongs to, a stable label, a 0..1 base score and the span of the ORIGINAL text. Analyzers
 * produce signals; the scoring step (score.ts) turns a family's signals into findings.
 */
import { originalSpan, type MappedText, type Span } from '../text/index.js';

/** Which detector a signal feeds. */
export type Family = 'injection' | 'jailbreak' | 'extraction';

export interface Signal extends Span {
  family: Family;
  /** Stable and greppable, e.g. `override`, `persona`, `extraction`. */
  label: string;
  /** 0..1 before corroboration. */
  score: number;
}

/** One regex rule over folded text (lowercase, no diacritics; see text/fold.ts). */
export interface PatternRule {
  family: Family;
  label: string;
  score: number;
  /** Global regex run over the folded text. */
  re: RegExp;
  /**
   * Optional adjustment from context: returns a multiplier for the score (0 drops the match).
   * `original` is the unfolded text, `span` the match in it.
   */
  adjust?: (ctx: MatchContext, span: Span) => number;
}

/** What a rule's `adjust` may look at, computed once per text. */
export interface MatchContext {
  original: string;
  folded: MappedText;
  /** The text talks to or about an AI model (ChatGPT, "language model", "as an AI"...). */
  aiContext: boolean;
  /** The text reads like source code or structured data. */
  codeLike: boolean;
}

/** Runs every rule over the folded text and maps matches to original spans. */
export function runRules(rules: readonly PatternRule[], ctx: MatchContext, out: Signal[]): void {
  const text = ctx.folded.text;
  for (const rule of rules) {
    rule.re.lastIndex = 0;
    for (const m of text.matchAll(rule.re)) {
      if (m[0].length === 0) continue;
      const span = originalSpan(ctx.folded, m.index, m.index + m[0].length);
      const factor = rule.adjust ? rule.adjust(ctx, span) : 1;
      if (factor <= 0) continue;
      out.push({ family: rule.family, label: rule.label, score: Math.min(1, rule.score * factor), start: span.start, end: span.end });
    }
  }
}

const AI_CONTEXT =
  /\b(?:chat ?gpt|gpt-?[345]|gpt|openai|anthropic|language models?|llms?|ai models?|an ai|as an ai|artificial intelligence|ai assistant|assistant|claude|bard|gemini|llama|chatbot|bot)\b/;
const CODE_LIKE = /```|^\s*(?:def |class |import |from \S+ import|function |const |let |var |#include|public |package )|[;{]\s*$|=>|\bconsole\.|\bprint\(|<\/?(?:div|span|html|body|script)\b/m;

export function matchContext(original: string, folded: MappedText): MatchContext {
  return { original, folded, aiContext: AI_CONTEXT.test(folded.text), codeLike: CODE_LIKE.test(folded.text) };
}

/** `adjust` helper: weaker when the text does not address an AI at all. */
export function needsAiContext(weight: number): (ctx: MatchContext) => number {
  return (ctx) => (ctx.aiContext ? 1 : weight);
}

/** True when the match sits inside quotes, backticks or a code span on its line. */
export function quotedOrCode(original: string, span: Span): boolean {
  const before = original[span.start - 1];
  const after = original[span.end];
  if (before !== undefined && after !== undefined && /["'`]/.test(before) && before === after) return true;
  const lineStart = original.lastIndexOf('\n', span.start) + 1;
  const ticks = original.slice(lineStart, span.start).split('`').length - 1;
  if (ticks % 2 === 1) return true;
  const fences = original.slice(0, span.start).split('```').length - 1;
  return fences % 2 === 1;
}
