/**
 * Splits folded text into words: runs of letters, digits and marks, with inner apostrophes
 * kept (`don't` is one word). Offsets are kept as typed arrays and words are sliced lazily, so
 * a 20 KB text costs one pass and no allocation per character.
 */

export interface Tokens {
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The i-th word (sliced on demand, memoized). */
  word(i: number): string;
}

const WORD_CHAR = /[\p{L}\p{N}\p{M}]/u;
/** Per UTF-16 unit: 0 not yet known, 1 not a word character, 2 a word character. Surrogates are never word characters. */
const CLASS = new Uint8Array(65536);

function isWordUnit(c: number): boolean {
  let k = CLASS[c]!;
  if (k === 0) {
    k = c >= 0xd800 && c <= 0xdfff ? 1 : WORD_CHAR.test(String.fromCharCode(c)) ? 2 : 1;
    CLASS[c] = k;
  }
  return k === 2;
}

/**
 * @example tokenize("don't ignore").word(1) // → 'ignore'
 */
export function tokenize(text: string): Tokens {
  let starts = new Int32Array(64);
  let ends = new Int32Array(64);
  let count = 0;
  const n = text.length;
  let i = 0;
  while (i < n) {
    if (!isWordUnit(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (isWordUnit(c)) i++;
      else if (c === 39 && i + 1 < n && isWordUnit(text.charCodeAt(i + 1)) && i > start) i++;
      else break;
    }
    if (count === starts.length) {
      const s = new Int32Array(count * 2);
      s.set(starts);
      starts = s;
      const e = new Int32Array(count * 2);
      e.set(ends);
      ends = e;
    }
    starts[count] = start;
    ends[count] = i;
    count++;
  }
  const words: (string | undefined)[] = new Array<string | undefined>(count);
  const s = starts;
  const e = ends;
  return {
    count,
    starts: s,
    ends: e,
    word(k: number): string {
      let w = words[k];
      if (w === undefined) {
        w = text.slice(s[k]!, e[k]!);
        words[k] = w;
      }
      return w;
    },
  };
}
