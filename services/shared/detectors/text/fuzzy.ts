/**
 * A vocabulary that also matches words one typo away (edit distance ≤ 1, an adjacent swap
 * counting as one), for words long enough that one typo does not turn them into another
 * common word. Candidates are found by the first two or the last two letters: one edit at
 * most changes one end of a word of five letters or more.
 */

export class FuzzyVocabulary<T> {
  private readonly exact = new Map<string, T>();
  /** Candidates by their first two letters and by their last two (keys: two UTF-16 units in one number). */
  private readonly byStart = new Map<number, string[]>();
  private readonly byEnd = new Map<number, string[]>();

  /**
   * @param entries word → value (lowercase words)
   * @param minFuzzyLength words shorter than this only match exactly
   * @param notTypos real words one edit away from a vocabulary word that must not match it
   */
  constructor(entries: Iterable<[string, T]>, private readonly minFuzzyLength = 5, private readonly notTypos: ReadonlySet<string> = new Set()) {
    for (const [word, value] of entries) {
      this.exact.set(word, value);
      if (word.length < minFuzzyLength) continue;
      add(this.byStart, startKey(word), word);
      add(this.byEnd, endKey(word), word);
    }
  }

  /** The value of `word`, or of a vocabulary word one typo away; `undefined` if none. */
  get(word: string): T | undefined {
    const hit = this.exact.get(word);
    if (hit !== undefined) return hit;
    if (word.length < this.minFuzzyLength || this.notTypos.has(word)) return undefined;
    return this.near(this.byStart.get(startKey(word)), word) ?? this.near(this.byEnd.get(endKey(word)), word);
  }

  /** Exact lookup only. */
  getExact(word: string): T | undefined {
    return this.exact.get(word);
  }

  private near(candidates: string[] | undefined, word: string): T | undefined {
    if (!candidates) return undefined;
    for (const c of candidates) {
      if (Math.abs(c.length - word.length) <= 1 && withinOneEdit(c, word)) return this.exact.get(c);
    }
    return undefined;
  }
}

const startKey = (w: string): number => w.charCodeAt(0) * 65536 + w.charCodeAt(1);
const endKey = (w: string): number => w.charCodeAt(w.length - 2) * 65536 + w.charCodeAt(w.length - 1);

function add(map: Map<number, string[]>, key: number, word: string): void {
  const list = map.get(key);
  if (list) list.push(word);
  else map.set(key, [word]);
}

/**
 * True when `a` and `b` differ by at most one insertion, deletion, substitution or swap of
 * two adjacent letters.
 *
 * @example withinOneEdit('ignore', 'ignroe') // → true
 */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < la && i < lb && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (la === lb) {
    // substitution: rest equal after skipping one each; swap: a[i]a[i+1] = b[i+1]b[i]
    if (a.slice(i + 1) === b.slice(i + 1)) return true;
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
