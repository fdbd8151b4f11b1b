/**
 * How much of one text (a system prompt) another (an output) reproduces, by shared runs of
 * `n` words ("shingles"). Words are compared lower-cased with punctuation, markdown and list
 * numbering ignored, so reformatting a prompt as a bulleted list does not hide it. Chinese and
 * Japanese characters count as one word each, since those scripts do not space words.
 */

export interface Token {
  word: string;
  start: number;
  end: number;
}

export interface Overlap {
  /** Stretches of the output made of shared shingles (UTF-16 offsets), in order. */
  spans: Array<{ start: number; end: number; words: number }>;
  /** Words of the prompt that the output reproduces. */
  reproducedWords: number;
  /** Words in the prompt. */
  promptWords: number;
}

/** Letters, marks and digits outside ASCII; CJK ideographs and kana are words on their own. */
const NON_ASCII_WORD = /[\p{L}\p{N}\p{M}]/u;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
/** Positions kept per shingle: a prompt that repeats one phrase 1000 times should not cost 1000 per match. */
const MAX_POSITIONS = 8;

/**
 * Words with their offsets. A hand-written scan: ASCII (most text) is classified by char code,
 * and only other characters go through a Unicode-property regex.
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // Lower-case once; per word only where lower-casing changes lengths (`İ` → `i̇`) and offsets would drift.
  const whole = text.toLowerCase();
  const lower = whole.length === text.length ? whole : null;
  let start = -1;
  const flush = (end: number): void => {
    if (start !== -1 && !(end - start <= 2 && isDigits(text, start, end))) {
      out.push({ word: lower !== null ? lower.slice(start, end) : text.slice(start, end).toLowerCase(), start, end });
    }
    start = -1;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) {
        if (start === -1) start = i;
      } else if (start !== -1) flush(i);
      continue;
    }
    const ch = text[i]!;
    if (CJK.test(ch)) {
      flush(i);
      out.push({ word: ch, start: i, end: i + 1 });
    } else if (NON_ASCII_WORD.test(ch) || (c >= 0xd800 && c <= 0xdfff)) {
      // Surrogate halves: letters outside the BMP stay inside their word.
      if (start === -1) start = i;
    } else flush(i);
  }
  flush(text.length);
  return out;
}

/** List numbering (`1.`, `2)`) a model adds when it restates a prompt: one- and two-digit numbers are not words. */
function isDigits(text: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/** A prompt ready for comparison: its words as small integers, and where each shingle starts. */
interface PromptIndex {
  n: number;
  words: number;
  ids: Map<string, number>;
  pIds: number[];
  positions: Map<number, number[]>;
}

/**
 * A session's system prompt is compared with every output of the session: its index is kept
 * for the most recent prompts (a cache, so `shingleOverlap` stays a pure function).
 */
const MAX_CACHED_PROMPTS = 64;
const promptIndexes = new Map<string, PromptIndex>();

function indexPrompt(prompt: string, n: number): PromptIndex {
  const hit = promptIndexes.get(prompt);
  if (hit && hit.n === n) {
    // Most recently used last: eviction takes the first.
    promptIndexes.delete(prompt);
    promptIndexes.set(prompt, hit);
    return hit;
  }
  const p = tokenize(prompt);
  const ids = new Map<string, number>();
  const pIds = p.map((t) => {
    let id = ids.get(t.word);
    if (id === undefined) {
      id = ids.size;
      ids.set(t.word, id);
    }
    return id;
  });
  const positions = new Map<number, number[]>();
  for (let i = 0; i + n <= pIds.length; i++) {
    const h = windowHash(pIds, i, n);
    const list = positions.get(h);
    if (!list) positions.set(h, [i]);
    else if (list.length < MAX_POSITIONS) list.push(i);
  }
  const index: PromptIndex = { n, words: p.length, ids, pIds, positions };
  promptIndexes.delete(prompt);
  if (promptIndexes.size >= MAX_CACHED_PROMPTS) promptIndexes.delete(promptIndexes.keys().next().value!);
  promptIndexes.set(prompt, index);
  return index;
}

export function shingleOverlap(prompt: string, output: string, n = 8): Overlap {
  const { words, ids, pIds, positions } = indexPrompt(prompt, n);
  const none: Overlap = { spans: [], reproducedWords: 0, promptWords: words };
  if (words < n) return none;
  const o = tokenize(output);
  if (o.length < n) return none;
  // An output word the prompt never uses is -1: no shingle holding it can match.
  const oIds = o.map((t) => ids.get(t.word) ?? -1);

  const outCovered = new Uint8Array(o.length);
  const promptCovered = new Uint8Array(words);
  let unknownAt = -1;
  for (let j = 0; j < o.length; j++) {
    if (oIds[j] === -1) unknownAt = j;
    const i = j - n + 1;
    if (i < 0 || unknownAt >= i) continue;
    const candidates = positions.get(windowHash(oIds, i, n));
    if (!candidates) continue;
    for (const at of candidates) {
      if (!sameWindow(pIds, at, oIds, i, n)) continue;
      outCovered.fill(1, i, i + n);
      promptCovered.fill(1, at, at + n);
    }
  }

  const spans: Overlap['spans'] = [];
  for (let j = 0; j < o.length; j++) {
    if (!outCovered[j]) continue;
    let k = j;
    while (k + 1 < o.length && outCovered[k + 1]) k++;
    spans.push({ start: o[j]!.start, end: o[k]!.end, words: k - j + 1 });
    j = k;
  }
  return { spans, reproducedWords: promptCovered.reduce((a, b) => a + b, 0), promptWords: words };
}

function windowHash(ids: readonly number[], from: number, n: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < from + n; k++) h = Math.imul(h ^ ids[k]!, 0x01000193);
  return h >>> 0;
}

function sameWindow(a: readonly number[], ai: number, b: readonly number[], bi: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (a[ai + k] !== b[bi + k]) return false;
  return true;
}
