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
  /**
   * What the regex cannot match without, so texts without it skip the regex: space-separated
   * words, one of which must be a word of the text; an entry `=literal` is a substring
   * instead. Empty: always run. (A 20 KB text costs one lookup per word instead of a scan
   * per rule.)
   */
  when: string;
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
  /** The text reads like source code or structured data (computed on first use: most texts never ask). */
  readonly codeLike: boolean;
}

/** The words and literals of a rule's `when`. */
export function triggersOf(rule: PatternRule): { words: string[]; literals: string[] } {
  const parts = rule.when.split(/\s+/).filter(Boolean);
  return { words: parts.filter((p) => !p.startsWith('=')), literals: parts.filter((p) => p.startsWith('=')).map((p) => p.slice(1)) };
}

/**
 * Runs the rules whose words appear (`triggered`) or whose literals are in the text, and maps
 * matches to original spans.
 */
export function runRules(rules: readonly PatternRule[], ctx: MatchContext, triggered: ReadonlySet<PatternRule>, out: Signal[]): void {
  const text = ctx.folded.text;
  const seen = new Map<string, boolean>();
  for (const rule of rules) {
    if (!triggered.has(rule) && !literalPresent(rule, text, seen)) continue;
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

const literals = new WeakMap<PatternRule, string[]>();

function literalPresent(rule: PatternRule, text: string, seen: Map<string, boolean>): boolean {
  let list = literals.get(rule);
  if (list === undefined) {
    const t = triggersOf(rule);
    // A rule with no `when` at all always runs.
    list = t.words.length === 0 && t.literals.length === 0 ? [''] : t.literals;
    literals.set(rule, list);
  }
  for (const l of list) {
    let hit = seen.get(l);
    if (hit === undefined) {
      hit = text.includes(l);
      seen.set(l, hit);
    }
    if (hit) return true;
  }
  return false;
}

const CODE_LIKE = /```|^\s*(?:def |class |import |from \S+ import|function |const |let |var |#include|public |package )|[;{]\s*$|=>|\bconsole\.|\bprint\(|<\/?(?:div|span|html|body|script)\b/m;

export function matchContext(original: string, folded: MappedText, aiContext: boolean): MatchContext {
  let codeLike: boolean | undefined;
  return {
    original,
    folded,
    aiContext,
    get codeLike(): boolean {
      codeLike ??= CODE_LIKE.test(folded.text);
      return codeLike;
    },
  };
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
  const lineStart = original.lastIndexOf('\n', span.start - 1) + 1;
  const lineEndAt = original.indexOf('\n', span.end);
  const head = original.slice(lineStart, span.start);
  const tail = original.slice(span.end, lineEndAt < 0 ? original.length : lineEndAt);
  // Inside "…" (an odd number of straight quotes before, one after) or “…” / «…».
  if (count(head, '"') % 2 === 1 && tail.includes('"')) return true;
  if (count(head, '“') > count(head, '”') && tail.includes('”')) return true;
  if (count(head, '«') > count(head, '»') && tail.includes('»')) return true;
  if (count(head, '`') % 2 === 1) return true;
  return count(original.slice(0, span.start), '```') % 2 === 1;
}

function count(text: string, needle: string): number {
  let n = 0;
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) n++;
  return n;
}

/**
 * A maker of one family's rules, so rule tables read as data: `rule(label, score, when, re)`.
 * `adjust` defaults to the family table's own (e.g. code-aware for role tokens).
 */
export function ruleMaker(family: Family, defaultAdjust?: PatternRule['adjust']) {
  return (label: string, score: number, when: string, re: RegExp, adjust: PatternRule['adjust'] = defaultAdjust): PatternRule => ({
    family,
    label,
    score,
    when,
    re,
    adjust,
  });
}
