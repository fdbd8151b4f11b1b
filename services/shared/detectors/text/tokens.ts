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

const WORD_CHAR_NON_ASCII = /[\p{L}\p{N}\p{M}]/u;
const nonAsciiClass = new Map<number, boolean>();

function isWordUnit(c: number): boolean {
  if (c < 0x80) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90);
  if (c >= 0xd800 && c <= 0xdfff) return false;
  let known = nonAsciiClass.get(c);
  if (known === undefined) {
    known = WORD_CHAR_NON_ASCII.test(String.fromCharCode(c));
    nonAsciiClass.set(c, known);
  }
  return known;
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
