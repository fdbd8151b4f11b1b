/**
 * One pass of every analyzer over one text, shared by the three detectors of this folder
 * (injection, jailbreak, prompt_extraction): fold once, tokenize once, run the grammars and
 * rule tables, then decode obfuscated payloads (tag characters, base64, hex, %-encoding,
 * rot13) and analyze those too, reporting their findings on the encoded run.
 *
 * Results for the last few texts are memoized: the rule engine runs the three detectors on
 * the same event one after another, so each text is analyzed once, not three times.
 */
import { decodeTagChars, findEncodedRuns, foldForMatch, originalSpan, rot13, rot13Lines, tokenize, type MappedText, type Span, type Tokens } from '../text/index.js';
import { DATA_REQUEST_RULES } from './data-requests.js';
import { EXTRACTION_RULES } from './extraction.js';
import { JAILBREAK_RULES } from './jailbreak-rules.js';
import { multilingualSignals } from './multilingual.js';
import { personaSetupSignals } from './persona.js';
import { overrideSignals, ruleFreeTypoSignals } from './override.js';
import { forgedTurns, ROLE_TOKEN_RULES } from './role-tokens.js';
import { matchContext, quotedOrCode, runRules, type PatternRule, type Signal } from './signal.js';
import { adversarialSuffixSignals } from './suffix.js';
import { TAKEOVER_RULES } from './takeover.js';
import { WordIndex } from './word-index.js';

const RULES: readonly PatternRule[] = [...ROLE_TOKEN_RULES, ...TAKEOVER_RULES, ...JAILBREAK_RULES, ...EXTRACTION_RULES, ...DATA_REQUEST_RULES];
const WORDS = new WordIndex(RULES);

/** Decoded payloads are analyzed at most this deep (base64 of base64 of …). */
const MAX_DEPTH = 2;
/** An obfuscated payload that carries an attack is a little more suspicious than the plain attack. */
const OBFUSCATION_BONUS = 0.05;

/**
 * Every signal in `text`, with spans into `text`.
 *
 * @example analyzeText('Ignore all previous instructions').map((s) => s.label) // → ['override']
 */
export function analyzeText(text: string): readonly Signal[] {
  const hit = memo.get(text);
  if (hit) return hit;
  const signals = analyze(text, 0);
  if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value!);
  memo.set(text, signals);
  return signals;
}

const MEMO_SIZE = 16;
const memo = new Map<string, readonly Signal[]>();

function analyze(text: string, depth: number): Signal[] {
  const folded = foldForMatch(text);
  const tokens = tokenize(folded.text);
  const { tags, stemsAt, triggered, aiContext, rotatedWords } = WORDS.index(tokens);
  const ctx = matchContext(text, folded, aiContext);
  const out: Signal[] = [...quotedHalf(text, overrideSignals(folded, tokens, tags)), ...ruleFreeTypoSignals(folded, tokens, tags)];
  runRules(RULES, ctx, triggered, out);
  const turns = forgedTurns(folded.text);
  if (turns) out.push({ family: 'injection', label: 'role_token', score: turns.score, ...originalSpan(folded, turns.start, turns.end) });
  // Strongest first: where two languages read the same words, the better reading wins.
  const multilingual = multilingualSignals(folded, tokens, stemsAt).sort((a, b) => b.score - a.score);
  for (const s of quotedHalf(text, multilingual)) if (!overlapsSameFamily(s, out)) out.push(s);
  out.push(...adversarialSuffixSignals(text, () => ctx.codeLike), ...personaSetupSignals(ctx));
  if (depth < MAX_DEPTH) addDecoded(text, folded, tokens, rotatedWords >= 2, depth, out);
  return out;
}

/** Payloads hidden in tag characters or encodings, analyzed and reported on their encoded span. */
function addDecoded(text: string, folded: MappedText, tokens: Tokens, maybeRot13: boolean, depth: number, out: Signal[]): void {
  const hidden: (Span & { decoded: string })[] = [...decodeTagChars(text), ...findEncodedRuns(text)];
  for (const run of hidden) {
    for (const s of analyze(run.decoded, depth + 1)) {
      out.push({ family: s.family, label: 'obfuscated', score: Math.min(1, s.score + OBFUSCATION_BONUS), start: run.start, end: run.end });
    }
  }
  // rot13: only lines that read as rotated English, and only what scores rotated but not as written.
  for (const line of maybeRot13 ? rot13Lines(folded.text, tokens) : []) {
    const span = originalSpan(folded, line.start, line.end);
    const plain = new Set(out.filter((s) => s.start < span.end && span.start < s.end).map((s) => s.family));
    for (const s of analyze(rot13(text.slice(span.start, span.end)), depth + 1)) {
      if (plain.has(s.family)) continue;
      out.push({ family: s.family, label: 'obfuscated', score: Math.min(1, s.score + OBFUSCATION_BONUS), start: span.start + s.start, end: span.start + s.end });
    }
  }
}

/**
 * An override inside quotes is talked about ("what does 'ignore previous instructions' do?",
 * "translate 'ignorez les instructions'"), so it counts half.
 */
function quotedHalf(text: string, signals: Signal[]): Signal[] {
  for (const s of signals) if (quotedOrCode(text, s)) s.score *= 0.5;
  return signals;
}

function overlapsSameFamily(s: Signal, existing: Signal[]): boolean {
  return existing.some((e) => e.family === s.family && e.start < s.end && s.start < e.end);
}
