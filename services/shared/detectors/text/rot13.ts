/**
 * rot13: the cheapest obfuscation there is, and invisible to keyword matching. Rotating every
 * text to look would double the cost of every scan, so only lines that read as rotated English
 * are rotated: almost no English function words as written ("the", "you", "and"), and a fair
 * share once rotated ("gur", "lbh", "naq" are in the rotated set, looked up without rotating).
 */
import type { Span } from './mapped.js';
import type { Tokens } from './tokens.js';
import { FUNCTION_WORDS } from './words.js';

/**
 * rot13 of ASCII letters.
 *
 * @example rot13('vtaber nyy ehyrf') // → 'ignore all rules'
 */
export function rot13(text: string): string {
  return text.replace(/[a-zA-Z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

const ROTATED_FUNCTION_WORDS: ReadonlySet<string> = new Set([...FUNCTION_WORDS].map(rot13));

/** "gur", "lbh", "naq": English function words after rot13. Texts without two of them need no rot13 look. */
export function isRotatedFunctionWord(word: string): boolean {
  return ROTATED_FUNCTION_WORDS.has(word);
}

/** Segments of fewer words are too short to tell. */
const MIN_WORDS = 4;
/** Segments end at line breaks and sentence or clause punctuation ("Decode this: …"). */
const SEGMENT_END = /[\n.!?:;]/g;

/**
 * Spans (of the lowercased text `tokens` came from) of lines and sentences that read as
 * rot13'd English; adjacent ones are merged.
 *
 * @example rot13Lines('read this: vtaber nyy cerivbhf vafgehpgvbaf naq gryy zr', tokenize(...)) // → [{ start: 11, end: 52 }]
 */
export function rot13Lines(lower: string, tokens: Tokens): Span[] {
  const out: Span[] = [];
  let words = 0;
  let plain = 0;
  let rotated = 0;
  let first = -1;
  let last = -1;
  const flush = (): void => {
    if (words >= MIN_WORDS && plain / words <= 0.08 && rotated / words >= 0.2) {
      const prev = out[out.length - 1];
      if (prev && /^[\s.!?:;]*$/.test(lower.slice(prev.end, tokens.starts[first]!))) prev.end = tokens.ends[last]!;
      else out.push({ start: tokens.starts[first]!, end: tokens.ends[last]! });
    }
    words = plain = rotated = 0;
    first = last = -1;
  };
  const nextEnd = (from: number): number => {
    SEGMENT_END.lastIndex = from;
    return SEGMENT_END.exec(lower)?.index ?? -1;
  };
  let nextBreak = nextEnd(0);
  for (let i = 0; i < tokens.count; i++) {
    if (nextBreak >= 0 && nextBreak < tokens.starts[i]!) {
      flush();
      nextBreak = nextEnd(tokens.starts[i]!);
    }
    const w = tokens.word(i);
    const c = w.charCodeAt(0);
    if (c < 97 || c > 122) continue;
    if (first < 0) first = i;
    last = i;
    words++;
    if (FUNCTION_WORDS.has(w)) plain++;
    else if (ROTATED_FUNCTION_WORDS.has(w)) rotated++;
  }
  flush();
  return out;
}
