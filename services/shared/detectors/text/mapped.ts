/**
 * A transformed text that remembers where each of its characters came from, so a match found
 * in the transformed text can be reported as a span of the text the event carried.
 */

export interface MappedText {
  /** The transformed text that patterns run on. */
  readonly text: string;
  /**
   * `from[i]`..`to[i]` is the span of the original text that produced `text[i]` (one original
   * character can produce several, e.g. `ﬁ` → `fi`; dropped characters produce none).
   * Both are `null` when the transform kept every offset, the common all-ASCII case.
   */
  readonly from: Int32Array | null;
  readonly to: Int32Array | null;
}

/** A half-open UTF-16 span `[start, end)`. */
export interface Span {
  start: number;
  end: number;
}

/** An untransformed text: offsets map to themselves. */
export function identity(text: string): MappedText {
  return { text, from: null, to: null };
}

/**
 * Maps `[start, end)` of `m.text` back to the original text.
 *
 * @example originalSpan(foldForMatch('ig\u200Bnore'), 0, 6) // → { start: 0, end: 7 }
 */
export function originalSpan(m: MappedText, start: number, end: number): Span {
  if (m.from === null || m.to === null) return { start, end };
  const n = m.text.length;
  if (n === 0) return { start: 0, end: 0 };
  const s = Math.min(Math.max(start, 0), n - 1);
  const e = Math.min(Math.max(end, s + 1), n);
  return { start: m.from[s]!, end: m.to[e - 1]! };
}
