/**
 * A vocabulary that also matches words one typo away (edit distance ≤ 1, an adjacent swap
 * counting as one), for words long enough that one typo does not turn them into another
 * common word. Candidates are found by the first two or the last two letters: one edit at
 * most changes one end of a word of five letters or more.
 */

export class FuzzyVocabulary<T> {
  private readonly exact = new Map<string, T>();
  private readonly byEnds = new Map<string, string[]>();

  /**
   * @param entries word → value (lowercase words)
   * @param minFuzzyLength words shorter than this only match exactly
   * @param notTypos real words one edit away from a vocabulary word that must not match it
   */
  constructor(entries: Iterable<[string, T]>, private readonly minFuzzyLength = 5, private readonly notTypos: ReadonlySet<string> = new Set()) {
    for (const [word, value] of entries) {
      this.exact.set(word, value);
      if (word.length < minFuzzyLength) continue;
      for (const key of [`<${word.slice(0, 2)}`, `>${word.slice(-2)}`]) {
        const list = this.byEnds.get(key);
        if (list) list.push(word);
        else this.byEnds.set(key, [word]);
      }
    }
  }

  /** The value of `word`, or of a vocabulary word one typo away; `undefined` if none. */
  get(word: string): T | undefined {
    const hit = this.exact.get(word);
    if (hit !== undefined) return hit;
    if (word.length < this.minFuzzyLength || this.notTypos.has(word)) return undefined;
    return this.near(this.byEnds.get(`<${word.slice(0, 2)}`), word) ?? this.near(this.byEnds.get(`>${word.slice(-2)}`), word);
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
