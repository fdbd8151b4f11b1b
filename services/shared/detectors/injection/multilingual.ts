/**
 * Matches the phrase grammars of languages.ts. Spaced languages are matched on the tokens the
 * English grammar already produced (one map lookup per token, by its first letters), so a long
 * English text costs little; Chinese and Japanese, written without spaces, are matched with
 * substring regexes, only when the text contains those scripts.
 */
import { foldCodePoint, foldForMatch, originalSpan, type MappedText, type Tokens } from '../text/index.js';
import { LANGUAGES, type Language } from './languages.js';
import type { Signal } from './signal.js';

/** The languages covered, for docs and tests. */
export const MULTILINGUAL_LANGUAGES: readonly string[] = LANGUAGES.map((l) => l.code);

type Role = 'overrideVerb' | 'overrideObject' | 'position' | 'extractionVerb' | 'extractionObject';

export interface Stem {
  /** Folded words; each matches the start of a token. */
  words: string[];
  lang: number;
  role: Role;
  /** Not also an English word. */
  native: boolean;
}

interface Hit {
  /** First and last token of the match. */
  first: number;
  last: number;
  stem: Stem;
}

/** Folds a stem like the text, in both spellings look-alike folding can give a short stem. */
function stemVariants(stem: string): string[] {
  let basic = '';
  for (const ch of stem) basic += ch.charCodeAt(0) < 0x80 ? ch.toLowerCase() : foldCodePoint(ch.codePointAt(0)!);
  return [...new Set([foldForMatch(stem).text, basic])];
}

/** Spaced stems indexed by their first three letters (two for two-letter stems), as one number. */
const byPrefix3 = new Map<number, Stem[]>();
const byPrefix2 = new Map<number, Stem[]>();
const key2 = (w: string): number => w.charCodeAt(0) * 65536 + w.charCodeAt(1);
const key3 = (w: string): number => key2(w) * 65536 + w.charCodeAt(2);
/** Function words → languages they mark. */
const markers = new Map<string, number[]>();
/** Negation words and negated verb forms, per language (folded). */
const negations = LANGUAGES.map((l) => new Set((l.negations ?? []).flatMap(stemVariants)));
const negatedForms = LANGUAGES.map((l) => (l.negatedForms ?? []).flatMap(stemVariants));

function indexStem(raw: string, lang: number, role: Role): void {
  const native = !raw.startsWith('~');
  for (const folded of stemVariants(raw.replace(/^~/, ''))) {
    const words = folded.split(/\s+/).filter(Boolean);
    const first = words[0]!;
    const stem: Stem = { words, lang, role, native };
    const [map, key] = first.length >= 3 ? [byPrefix3, key3(first)] : [byPrefix2, key2(first)];
    const list = map.get(key);
    if (list) list.push(stem);
    else map.set(key, [stem]);
  }
}

LANGUAGES.forEach((l, lang) => {
  if (!l.spaced) return;
  for (const s of l.override.verbs) indexStem(s, lang, 'overrideVerb');
  for (const s of l.override.objects) indexStem(s, lang, 'overrideObject');
  for (const s of l.override.positions) indexStem(s, lang, 'position');
  for (const s of l.extraction.verbs) indexStem(s, lang, 'extractionVerb');
  for (const s of l.extraction.objects) indexStem(s, lang, 'extractionObject');
  for (const m of l.markers) for (const f of stemVariants(m)) markers.set(f, [...(markers.get(f) ?? []), lang]);
});

/** Tokens apart, at most, for a verb and its object. */
const WINDOW = 8;

const NO_STEMS: readonly Stem[] = [];

/**
 * The stems whose first word starts `word` (a token of folded text). Memoized per word by the
 * caller (word-index.ts).
 */
export function stemsStarting(word: string): readonly Stem[] {
  if (word.length < 2) return NO_STEMS;
  let out: Stem[] | null = null;
  for (const candidates of [word.length >= 3 ? byPrefix3.get(key3(word)) : undefined, byPrefix2.get(key2(word))]) {
    if (!candidates) continue;
    for (const stem of candidates) if (word.startsWith(stem.words[0]!)) (out ??= []).push(stem);
  }
  return out ?? NO_STEMS;
}

/**
 * Override and extraction phrases in the fourteen languages. `stemsAt[i]` are the stems the
 * i-th token starts (stemsStarting).
 *
 * @example multilingualSignals(folded, tokens, stemsAt) // folded 'Ignoriere alle vorherigen Anweisungen'
 * // → [{ label: 'multilingual_override', score: 0.85, ... }]
 */
export function multilingualSignals(folded: MappedText, tokens: Tokens, stemsAt: readonly (readonly Stem[])[]): Signal[] {
  const out: Signal[] = [];
  spacedSignals(folded, tokens, stemsAt, out);
  unspacedSignals(folded, out);
  return out;
}

function spacedSignals(folded: MappedText, tokens: Tokens, stemsAt: readonly (readonly Stem[])[], out: Signal[]): void {
  const hits: Hit[] = [];
  for (let i = 0; i < tokens.count; i++) {
    for (const stem of stemsAt[i]!) {
      const last = matchStem(tokens, i, stem);
      if (last >= 0) hits.push({ first: i, last, stem });
    }
  }
  if (hits.length < 2) return;
  const text = folded.text;
  for (let v = 0; v < hits.length; v++) {
    const verb = hits[v]!;
    const objectRoles: Role[] | null =
      verb.stem.role === 'overrideVerb' ? ['overrideObject', 'position'] : verb.stem.role === 'extractionVerb' ? ['extractionObject'] : null;
    if (!objectRoles || isNegated(tokens, verb)) continue;
    let best: { hit: Hit; score: number } | null = null;
    // Hits are in token order: only neighbours within the window can pair.
    let lo = v;
    while (lo > 0 && verb.first - hits[lo - 1]!.last <= WINDOW) lo--;
    for (let o = lo; o < hits.length && hits[o]!.first - verb.last <= WINDOW; o++) {
      const obj = hits[o]!;
      if (obj.stem.lang !== verb.stem.lang || !objectRoles.includes(obj.stem.role)) continue;
      if (obj.first <= verb.last && verb.first <= obj.last) continue;
      const from = Math.min(verb.first, obj.first);
      const to = Math.max(verb.last, obj.last);
      if (to - from > WINDOW || crossesSentence(tokens, text, from, to)) continue;
      if (!verb.stem.native && !obj.stem.native && !hasMarker(tokens, verb.stem.lang, from, to)) continue;
      const score = obj.stem.role === 'overrideObject' ? 0.85 : obj.stem.role === 'position' ? 0.6 : 0.8;
      if (!best || score > best.score) best = { hit: obj, score };
    }
    if (!best) continue;
    const from = Math.min(verb.first, best.hit.first);
    const to = Math.max(verb.last, best.hit.last);
    const span = originalSpan(folded, tokens.starts[from]!, tokens.ends[to]!);
    const extraction = verb.stem.role === 'extractionVerb';
    out.push({
      family: extraction ? 'extraction' : 'injection',
      label: extraction ? 'multilingual_extraction' : 'multilingual_override',
      score: best.score,
      start: span.start,
      end: span.end,
    });
  }
}

/** The last token a multi-word stem covers from token `at` (its first word already matched; one other word allowed between parts), or -1. */
function matchStem(tokens: Tokens, at: number, stem: Stem): number {
  let k = at;
  for (let w = 1; w < stem.words.length; w++) {
    const part = stem.words[w]!;
    if (k + 1 < tokens.count && tokens.word(k + 1).startsWith(part)) k += 1;
    else if (k + 2 < tokens.count && tokens.word(k + 2).startsWith(part)) k += 2;
    else return -1;
  }
  return k;
}

/** A negation word just before the verb (or just after it, as German and Dutch place it), or a negated form. */
function isNegated(tokens: Tokens, verb: Hit): boolean {
  const lang = verb.stem.lang;
  if (negatedForms[lang]!.some((f) => tokens.word(verb.first).startsWith(f.split(' ')[0]!))) return true;
  const words = negations[lang]!;
  if (words.size === 0 || verb.stem.words.some((w) => words.has(w))) return false;
  for (const k of [verb.first - 1, verb.first - 2, verb.last + 1]) {
    if (k >= 0 && k < tokens.count && words.has(tokens.word(k))) return true;
  }
  return false;
}

function hasMarker(tokens: Tokens, lang: number, from: number, to: number): boolean {
  for (let k = Math.max(0, from - 2); k <= Math.min(tokens.count - 1, to + 2); k++) {
    if (markers.get(tokens.word(k))?.includes(lang)) return true;
  }
  return false;
}

/** Sentence ends, in the scripts covered: . ! ? ; newline, Devanagari danda, Arabic question mark. */
function crossesSentence(tokens: Tokens, text: string, from: number, to: number): boolean {
  for (let p = tokens.ends[from]!; p < tokens.starts[to]!; p++) {
    const c = text.charCodeAt(p);
    if (c === 46 || c === 33 || c === 63 || c === 10 || c === 59 || c === 0x0964 || c === 0x061f || c === 0x3002) return true;
  }
  return false;
}

interface UnspacedGrammar {
  script: RegExp;
  re: RegExp;
  score: number;
  extraction: boolean;
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const alternation = (stems: string[]): string => `(?:${[...new Set(stems.flatMap(stemVariants))].sort((a, b) => b.length - a.length).map(escape).join('|')})`;
/** Characters between a verb and its object in Chinese or Japanese. */
const GAP = '[^.!?\\n。！？]{0,12}?';

function unspacedGrammar(l: Language, verbs: string[], objects: string[], score: number, extraction: boolean): UnspacedGrammar {
  const v = alternation(verbs);
  const o = alternation(objects);
  return { script: l.script ?? /(?!)/, re: new RegExp(`${v}${GAP}${o}|${o}${GAP}${v}`, 'g'), score, extraction };
}

const UNSPACED: UnspacedGrammar[] = LANGUAGES.filter((l) => !l.spaced).flatMap((l) => [
  unspacedGrammar(l, l.override.verbs, l.override.objects, 0.85, false),
  unspacedGrammar(l, l.override.verbs, l.override.positions, 0.6, false),
  unspacedGrammar(l, l.extraction.verbs, l.extraction.objects, 0.8, true),
]);

function unspacedSignals(folded: MappedText, out: Signal[]): void {
  const text = folded.text;
  for (const g of UNSPACED) {
    if (!g.script.test(text)) continue;
    for (const m of text.matchAll(g.re)) {
      const span = originalSpan(folded, m.index, m.index + m[0].length);
      out.push({
        family: g.extraction ? 'extraction' : 'injection',
        label: g.extraction ? 'multilingual_extraction' : 'multilingual_override',
        score: g.score,
        start: span.start,
        end: span.end,
      });
    }
  }
}
